import { sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { selectByKey, uuidArray } from '../db/sql';
import { ids } from '../ids';
import { compare, type Edge, type GraphNode, lineageGraph } from '../read/lineage';
import { nodeId, resolveNodeId } from '../read/node-id';
import type { Direction } from '../read/walk';
import { listDeployments } from './deployments';
import { candidateVersionsSql, trainingRuns, versionLinks } from './links';
import { MODELS_NAMESPACE, modelAsDataset, modelBehindDataset } from './model-datasets';
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

export interface GraphOptions {
  depth: number | null;
  direction: Direction;
  asOf?: string;
  /** Model versions as MODEL and DEPLOYMENT nodes (native), else as DATASET nodes of namespace `models`. */
  withModels?: boolean;
}

/**
 * The lineage graph around the node `raw` names: `model:<name>:<version>`, a dataset or a job, or the Marquez
 * form of a model version (`dataset:models:<name>/<version>`, read as a model by modelBehindDataset's rule).
 */
export async function graphAround(db: Db, raw: string, options: GraphOptions): Promise<{ graph: GraphNode[] }> {
  const native = parseModelNodeId(raw);
  if (native) return modelGraph(db, await resolveVersion(db, versionRef(native.name, native.version)), 'native', options);
  const model = raw.startsWith(MODEL_DATASET_PREFIX) ? await modelBehindDataset(db, raw.slice(MODEL_DATASET_PREFIX.length)) : undefined;
  if (model) return modelGraph(db, model, 'marquez', options);
  const start = await resolveNodeId(db, raw);
  if (start.type === 'datasetField') throw invalid('/nodeId', 'must be a dataset or job node (datasetField: use /column-lineage)');
  const lineage = await lineageGraph<ModelVersion[]>(db, start, options, MODEL_CANDIDATES);
  return { graph: await withModelNodes(db, lineage.graph, lineage.alongside, options.withModels ? 'native' : 'marquez') };
}

const MODEL_DATASET_PREFIX = `dataset:${MODELS_NAMESPACE}:`;

/** The lineage around a model version: its training jobs' lineage, with the model nodes. */
async function modelGraph(db: Db, v: ModelVersion, form: ModelForm, options: GraphOptions) {
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
