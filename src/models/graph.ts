import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { selectByKey } from '../db/sql';
import { ids } from '../ids';
import { compare, type Edge, type GraphNode, lineageGraph } from '../read/lineage';
import { nodeId, resolveNodeId } from '../read/node-id';
import type { Direction } from '../read/walk';
import { currentDeploymentsJson, type Deployment } from './deployments';
import { confirmedRunLink, linksWithDecisions } from './links';
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

/** A version to draw: its confirmed training runs with their jobs, and what it serves now. */
export interface ModelCandidate {
  version: ModelVersion;
  runs: { runId: string; namespace: string; job: string }[];
  deployments: Deployment[];
}

/** The confirmed training runs of a version (alias `v`), each with its job (json, oldest run id first). */
const trainingRunsOf = (v: SQL) => sql`(select json_agg(json_build_object('runId', l.run_id, 'namespace', r.namespace, 'job', r.job_name)
    order by l.run_id) from ${linksWithDecisions} join runs r on r.id = l.run_id
    where l.model_name = ${v}.model_name and l.version = ${v}.version and ${confirmedRunLink})`;

/**
 * For lineageGraph's statement: the model versions trained by a run of the graph's jobs (newest first, at
 * most MAX_MODEL_NODES), with everything their nodes need, read from the stored links beside the walk,
 * so that a graph costs no extra statement for them; nothing is searched in a store without links.
 */
export const MODEL_CANDIDATES = sql`case when exists (select 1 from model_version_links) then (
    select json_agg(json_build_object('version', ${versionJson('v')}, 'runs', ${trainingRunsOf(sql`v`)},
      'deployments', ${currentDeploymentsJson('v')}) order by v.created_at desc)
    from (
      select v.* from (
        select distinct l.model_name, l.version from ${linksWithDecisions}
        where l.run_id = any(array(select r.id from runs r where r.job_id = any(array(select job_id from walk_jobs)))) and ${confirmedRunLink}) c
      join model_versions v on v.model_name = c.model_name and v.version = c.version
      order by v.created_at desc limit ${MAX_MODEL_NODES}) v) end`;

/**
 * Adds the model versions trained by the graph's jobs (a node per version, an edge from each of its
 * training jobs in the graph) and, natively, where they are deployed now (an edge to a node per endpoint
 * and environment). `candidates`: MODEL_CANDIDATES.
 */
export function withModelNodes(graph: GraphNode[], candidates: ModelCandidate[] | null, form: ModelForm = 'native'): GraphNode[] {
  if (!candidates?.length) return graph;
  const nodes = new Map(graph.map((n) => [n.id, n]));
  for (const { version: v, runs, deployments } of candidates) {
    const runIds = runs.map((r) => r.runId);
    const sources = [...new Set(runs.map((r) => nodeId.job(r.namespace, r.job)))].filter((id) => nodes.has(id));
    if (sources.length === 0) continue;
    const node = form === 'native' ? modelNode(v, runIds) : modelDatasetNode(v, runIds);
    nodes.set(node.id, node);
    for (const s of sources) link(nodes, s, node.id);
    if (form !== 'native') continue;
    for (const d of deployments) {
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
  const lineage = await lineageGraph<ModelCandidate[]>(db, start, options, MODEL_CANDIDATES);
  return { graph: withModelNodes(lineage.graph, lineage.alongside, options.withModels ? 'native' : 'marquez') };
}

const MODEL_DATASET_PREFIX = `dataset:${MODELS_NAMESPACE}:`;

/** The lineage around a model version: its training jobs' lineage, with the model nodes. */
async function modelGraph(db: Db, v: ModelVersion, form: ModelForm, options: GraphOptions) {
  const [own] = await selectByKey<{ runs: ModelCandidate['runs'] | null }>(
    db,
    sql`select ${trainingRunsOf(sql`v`)} as runs from model_versions v where v.model_name = ${v.name} and v.version = ${v.version}`,
  );
  const runs = own?.runs ?? [];
  const jobs = [...new Map(runs.map((r) => [nodeId.job(r.namespace, r.job), r])).values()];
  const nodes = new Map<string, GraphNode>();
  const candidates = new Map<string, ModelCandidate>();
  for (const j of jobs) {
    const start = { type: 'job' as const, id: ids.job(j.namespace, j.job), namespace: j.namespace, name: j.job };
    // From a model, "downstream" is where it is deployed: the walk goes up from its training jobs.
    const lineage = await lineageGraph<ModelCandidate[]>(
      db,
      start,
      { ...options, direction: options.direction === 'downstream' ? 'upstream' : options.direction },
      MODEL_CANDIDATES,
    );
    for (const n of lineage.graph) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const c of lineage.alongside ?? []) candidates.set(modelNodeId(c.version.name, c.version.version), c);
  }
  const newest = [...candidates.values()].sort((a, b) => compare(b.version.createdAt, a.version.createdAt)).slice(0, MAX_MODEL_NODES);
  const graph = withModelNodes([...nodes.values()], newest, form);
  const runIds = runs.map((r) => r.runId);
  const node = form === 'native' ? modelNode(v, runIds) : modelDatasetNode(v, runIds);
  if (!graph.some((n) => n.id === node.id)) graph.push(node);
  return { graph: graph.sort((a, b) => compare(a.id, b.id)) };
}
