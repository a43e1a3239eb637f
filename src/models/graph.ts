import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idOf, ids } from '../ids';
import { compare, type Edge, type GraphNode, lineageGraph } from '../read/lineage';
import { nodeId } from '../read/node-id';
import { selectByKey, uuidArray } from '../read/sql';
import type { Direction } from '../read/walk';
import { listDeployments } from './deployments';
import { candidateVersionsSql, trainingRuns, versionLinks } from './links';
import { type ModelVersion, resolveVersion, versionJson } from './registry';
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
 * For lineageGraph's statement: the model versions whose evidence points at a run of the graph's jobs
 * (newest first, at most MAX_MODEL_NODES), found beside the walk so that a graph costs no extra round trip
 * for them; nothing is searched in a store without a registry.
 */
export const MODEL_CANDIDATES = sql`case when exists (select 1 from model_versions) then (
    select json_agg(x.json order by x.created_at desc) from (
      select ${versionJson('v')} as json, c.created_at
      from (select array(select r.id from runs r where r.job_id = any(array(select job_id from walk_jobs))) as ids) jr
      cross join lateral (${candidateVersionsSql(sql`jr.ids`)}) c
      join model_versions v on v.model_name = c.name and v.version = c.version
      order by c.created_at desc limit ${MAX_MODEL_NODES}) x) end`;

/**
 * Adds the model versions trained by the graph's jobs (a node per version, an edge from its training job)
 * and where they are deployed now (an edge to a node per endpoint and environment). A version counts when
 * one of its confirmed training runs is a run of a job in the graph. `candidates`: MODEL_CANDIDATES.
 */
export async function withModelNodes(
  db: Db,
  graph: GraphNode[],
  candidates: ModelVersion[] | null,
  form: ModelForm = 'native',
): Promise<GraphNode[]> {
  if (!candidates?.length) return graph;
  const nodes = new Map(graph.map((n) => [n.id, n]));
  // Each candidate's links are computed in full (decisions, ambiguous artifacts); the candidates are
  // independent, so they are asked for together (a pool runs them side by side).
  const linked = await Promise.all(
    candidates.map(async (v) => {
      const [links, deployed] = await Promise.all([
        versionLinks(db, v),
        form === 'native' ? listDeployments(db, { model: v.name, version: v.version }) : [],
      ]);
      return { v, runs: trainingRuns(links), deployed: deployed.filter((x) => x.current) };
    }),
  );
  // The jobs of every training run found, in one statement.
  const trainingRunIds = [...new Set(linked.flatMap((l) => l.runs))];
  const jobOf = new Map(
    (trainingRunIds.length
      ? await selectByKey<{ id: string; namespace: string; job_name: string }>(
          db,
          sql`select id, namespace, job_name from runs where id = any(${uuidArray(trainingRunIds)})`,
        )
      : []
    ).map((r) => [r.id, nodeId.job(r.namespace, r.job_name)]),
  );
  const found = linked.map((l) => ({ ...l, trainers: [...new Set(l.runs.flatMap((r) => jobOf.get(r) ?? []))] }));
  for (const { v, runs, trainers, deployed } of found) {
    const sources = trainers.filter((id) => nodes.has(id));
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
    ? await selectByKey<{ namespace: string; job_name: string }>(
        db,
        sql`select distinct namespace, job_name from runs where id = any(${uuidArray(runs)})`,
      )
    : [];
  const nodes = new Map<string, GraphNode>();
  const candidates = new Map<string, ModelVersion>();
  for (const j of jobs) {
    const start = { type: 'job' as const, id: ids.job(j.namespace, j.job_name), namespace: j.namespace, name: j.job_name };
    // From a model, "downstream" is where it is deployed: the walk goes up from its training jobs.
    const lineage = await lineageGraph<ModelVersion[]>(
      db,
      start,
      { ...options, direction: options.direction === 'downstream' ? 'upstream' : options.direction },
      MODEL_CANDIDATES,
    );
    for (const n of lineage.graph) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const c of lineage.alongside ?? []) candidates.set(modelNodeId(c.name, c.version), c);
  }
  const newest = [...candidates.values()].sort((a, b) => compare(b.createdAt, a.createdAt)).slice(0, MAX_MODEL_NODES);
  const graph = await withModelNodes(db, [...nodes.values()], newest, form);
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
