import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idOf, ids } from '../ids';
import { compare, type Edge, type GraphNode, lineageGraph } from '../read/lineage';
import { nodeId } from '../read/node-id';
import { select, uuidArray } from '../read/sql';
import type { Direction } from '../read/walk';
import { listDeployments } from './deployments';
import { candidateVersionsSql, trainingRuns, versionLinks } from './links';
import { type ModelVersion, resolveVersion } from './registry';
import { versionRef } from './uri';

/** Model nodes per graph: the newest versions of each training job first. */
const MAX_MODEL_NODES = 50;

export const modelNodeId = (name: string, version: number) => `model:${name}:${version}`;

/**
 * How model versions appear in graphs. `native`: MODEL nodes (`model:<name>:<version>`) and DEPLOYMENT
 * nodes. `marquez`: for clients that know only DATASET and JOB nodes (the Marquez web UI draws nothing
 * else), each version is a DATASET node of the reserved namespace `models`, named `<name>/<version>`
 * (its data's `type` is MODEL), which the dataset endpoints also answer for, so the UI can hover, click
 * and walk from it.
 */
export type ModelForm = 'native' | 'marquez';
export const MODELS_NAMESPACE = 'models';
const marquezNodeId = (name: string, version: number) => nodeId.dataset(MODELS_NAMESPACE, `${name}/${version}`);
export const deploymentNodeId = (environment: string, endpoint: string) => `deployment:${environment}:${endpoint}`;

/** `model:<name>:<version>` (the name may hold colons: the version is after the last one). */
export function parseModelNodeId(raw: string): { name: string; version: string } | undefined {
  const m = /^model:(.+):([^:]+)$/.exec(raw);
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}

/**
 * Adds the model versions trained by the graph's jobs (a node per version, an edge from its training job)
 * and where they are deployed now (an edge to a node per endpoint and environment). A version counts when
 * one of its confirmed training runs is a run of a job in the graph.
 */
export async function withModelNodes(
  db: Db,
  lineage: { graph: GraphNode[]; modelsExist: boolean },
  form: ModelForm = 'native',
): Promise<GraphNode[]> {
  const { graph } = lineage;
  const jobs = graph.filter((n) => n.type === 'JOB').map((n) => n.data as { id: { namespace: string; name: string } });
  // Most stores have no registry: the graph's statement said so, sparing them the search.
  if (jobs.length === 0 || !lineage.modelsExist) return graph;
  const jobIds = jobs.map((j) => ids.job(j.id.namespace, j.id.name));
  const candidates = await select<{ name: string; version: number }>(
    db,
    sql`with job_runs as materialized (select array(select r.id from runs r where r.job_id = any(${uuidArray(jobIds)})) as ids)
    select name, version from (${candidateVersionsSql(sql`(select ids from job_runs)::uuid[]`)}) c
    order by created_at desc limit ${MAX_MODEL_NODES}`,
  );
  const nodes = new Map(graph.map((n) => [n.id, n]));
  // Each candidate's links are computed in full (decisions, ambiguous artifacts); the candidates are
  // independent, so they are asked for together (a pool runs them side by side).
  const found = await Promise.all(
    candidates.map(async (c) => {
      const v = await resolveVersion(db, { name: c.name, version: c.version });
      const runs = trainingRuns(await versionLinks(db, v));
      const trainers = runs.length
        ? await select<{ namespace: string; job_name: string }>(
            db,
            sql`select distinct namespace, job_name from runs where id = any(${uuidArray(runs)})`,
          )
        : [];
      const deployed = form === 'native' ? (await listDeployments(db, { model: v.name, version: v.version })).filter((x) => x.current) : [];
      return { v, runs, trainers, deployed };
    }),
  );
  for (const { v, runs, trainers, deployed } of found) {
    const sources = trainers.map((t) => nodeId.job(t.namespace, t.job_name)).filter((id) => nodes.has(id));
    if (sources.length === 0) continue;
    const node = form === 'native' ? modelNode(v, runs) : modelDatasetNode(v, runs);
    nodes.set(node.id, node);
    for (const s of sources) link(nodes, s, node.id);
    for (const d of deployed) {
      const id = deploymentNodeId(d.environment, d.endpoint);
      if (!nodes.has(id))
        nodes.set(id, { id, type: 'DEPLOYMENT', data: { endpoint: d.endpoint, environment: d.environment }, inEdges: [], outEdges: [] });
      link(nodes, node.id, id);
      Object.assign(nodes.get(id)!.data, { model: v.name, version: v.version, deployedAt: d.deployedAt, actor: d.actor });
    }
  }
  return [...nodes.values()].sort((a, b) => compare(a.id, b.id));
}

function modelNode(v: ModelVersion, runs: string[]): GraphNode {
  return {
    id: modelNodeId(v.name, v.version),
    type: 'MODEL',
    data: {
      name: v.name,
      version: v.version,
      stage: v.stage,
      aliases: v.aliases,
      source: v.source,
      registeredAt: v.createdAt,
      trainingRunIds: runs,
    },
    inEdges: [],
    outEdges: [],
  };
}

/** A version as Marquez's DatasetData (the graph node the web UI draws). */
export function modelAsDataset(v: ModelVersion, runs: string[]) {
  const name = `${v.name}/${v.version}`;
  return {
    id: { namespace: MODELS_NAMESPACE, name },
    type: 'MODEL',
    name,
    physicalName: v.source ?? name,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    namespace: MODELS_NAMESPACE,
    sourceName: 'pedigree',
    fields: [],
    tags: v.aliases.map((a) => `@${a}`),
    lastModifiedAt: v.updatedAt,
    lastLifecycleState: '',
    description: `${v.name} version ${v.version}, ${v.stage}${v.aliases.length ? `, @${v.aliases.join(', @')}` : ''}`,
    model: { name: v.name, version: v.version, stage: v.stage, aliases: v.aliases, source: v.source, trainingRunIds: runs },
  };
}

function modelDatasetNode(v: ModelVersion, runs: string[]): GraphNode {
  return { id: marquezNodeId(v.name, v.version), type: 'DATASET', data: modelAsDataset(v, runs), inEdges: [], outEdges: [] };
}

function link(nodes: Map<string, GraphNode>, origin: string, destination: string) {
  const edge: Edge = { origin, destination };
  const from = nodes.get(origin)!;
  const to = nodes.get(destination)!;
  if (!from.outEdges.some((e) => e.destination === destination)) from.outEdges.push(edge);
  if (!to.inEdges.some((e) => e.origin === origin)) to.inEdges.push(edge);
}

/** `dataset:models:<name>/<version>`, the Marquez form of a model node id, else undefined. */
export function parseModelDatasetId(raw: string): { name: string; version: string } | undefined {
  const prefix = `dataset:${MODELS_NAMESPACE}:`;
  if (!raw.startsWith(prefix)) return undefined;
  const rest = raw.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  return slash > 0 ? { name: rest.slice(0, slash), version: rest.slice(slash + 1) } : undefined;
}

/**
 * The lineage around a model version (`model:<name>:<version>`, or its Marquez form): its training jobs'
 * lineage, with the model nodes. Undefined when `raw` names no model.
 */
export async function modelGraph(db: Db, raw: string, options: { depth: number | null; direction: Direction; asOf?: string }) {
  const native = parseModelNodeId(raw);
  const parsed = native ?? parseModelDatasetId(raw);
  if (!parsed) return undefined;
  const form: ModelForm = native ? 'native' : 'marquez';
  const v = await resolveVersion(db, versionRef(parsed.name, parsed.version));
  const runs = trainingRuns(await versionLinks(db, v));
  const jobs = runs.length
    ? await select<{ namespace: string; job_name: string }>(
        db,
        sql`select distinct namespace, job_name from runs where id = any(${uuidArray(runs)})`,
      )
    : [];
  const nodes = new Map<string, GraphNode>();
  for (const j of jobs) {
    const start = { type: 'job' as const, id: ids.job(j.namespace, j.job_name), namespace: j.namespace, name: j.job_name };
    // From a model, "downstream" is where it is deployed: the walk goes up from its training jobs.
    const { graph } = await lineageGraph(db, start, {
      ...options,
      direction: options.direction === 'downstream' ? 'upstream' : options.direction,
    });
    for (const n of graph) if (!nodes.has(n.id)) nodes.set(n.id, n);
  }
  const graph = await withModelNodes(db, { graph: [...nodes.values()], modelsExist: true }, form);
  const own = form === 'native' ? modelNode(v, runs) : modelDatasetNode(v, runs);
  if (!graph.some((n) => n.id === own.id)) graph.push(own);
  return { graph: graph.sort((a, b) => compare(a.id, b.id)) };
}

/**
 * A model version as Marquez's full Dataset, for `GET /namespaces/models/datasets/<name>/<version>` (the
 * web UI fetches what it draws). Undefined when the name is not `<model>/<version>` of a known version.
 */
export async function modelDataset(
  db: Db,
  name: string,
): Promise<{ dataset: Record<string, unknown>; version: Record<string, unknown> & { version: string } } | undefined> {
  const slash = name.lastIndexOf('/');
  if (slash <= 0) return undefined;
  let v: ModelVersion;
  try {
    v = await resolveVersion(db, versionRef(name.slice(0, slash), name.slice(slash + 1)));
  } catch {
    return undefined;
  }
  const runs = trainingRuns(await versionLinks(db, v));
  const dataset = modelAsDataset(v, runs);
  const versionId = idOf('model_version', v.name, String(v.version));
  return {
    dataset: { ...dataset, currentVersion: versionId, columnLineage: null, facets: {}, deleted: false },
    // Its one version, as Marquez's DatasetVersion (the web UI's version history).
    version: {
      id: { namespace: MODELS_NAMESPACE, name: dataset.name, version: versionId },
      type: 'MODEL',
      name: dataset.name,
      physicalName: dataset.physicalName,
      createdAt: v.createdAt,
      version: versionId,
      datasetVersion: String(v.version),
      namespace: MODELS_NAMESPACE,
      sourceName: dataset.sourceName,
      fields: [],
      tags: dataset.tags,
      lifecycleState: '',
      description: dataset.description,
      createdByRun: null,
      facets: {},
    },
  };
}
