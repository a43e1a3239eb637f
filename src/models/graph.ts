import { type SQL, sql } from 'drizzle-orm';
import { invalid, notFound } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey, textArray } from '../db/sql';
import { ids } from '../ids';
import { inputVersionId, runState } from '../read/json';
import { compare, type Edge, type GraphNode, graphText, lineageGraph, lineageNodes } from '../read/lineage';
import { nodeId, parseRunNodeId, resolveNodeId } from '../read/node-id';
import type { Direction } from '../read/walk';
import { currentDeploymentsJson, type Deployment, deploymentAt } from './deployments';
import { sameRunsOf } from './link-evidence';
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

/**
 * A version to draw: its confirmed training runs with their jobs, and what it serves now. A run with `sameAs`
 * was the same training as that one (link-evidence.ts): its job draws an edge to the version too, but it is
 * not another training run.
 */
export interface ModelCandidate {
  version: ModelVersion;
  runs: { runId: string; namespace: string; job: string; sameAs?: string | null }[];
  deployments: Deployment[];
}

/** Runs (alias `r`) started by `asOf`, when a graph is asked as it was then. */
const startedBy = (asOf: string | undefined) => (asOf === undefined ? sql`true` : sql`r.created_at <= ${asOf}::timestamptz`);

/**
 * The confirmed training runs of a version (alias `v`), each with its job, and the runs that were the same
 * training as one (`sameAs`) (json, by run id); by `asOf` if given.
 */
const trainingRunsOf = (v: SQL, asOf?: string) => sql`(
    select json_agg(json_build_object('runId', x.run_id, 'namespace', r.namespace, 'job', r.job_name, 'sameAs', x.same_as)
      order by x.run_id)
    from (
      select l.run_id, null::uuid as same_as from ${linksWithDecisions}
      where l.model_name = ${v}.model_name and l.version = ${v}.version and ${confirmedRunLink}
      union all
      select s.run, l.run_id from ${linksWithDecisions} cross join lateral ${sameRunsOf(sql`l`)} as s(run)
      where l.model_name = ${v}.model_name and l.version = ${v}.version and ${confirmedRunLink}) x
    join runs r on r.id = x.run_id where ${startedBy(asOf)})`;

/** A model version a graph's jobs trained, as the graph's statement finds it: [name, version]. */
type Trained = [string, number];

/**
 * For the graph's statement: the model versions trained by a run of the graph's jobs (newest first, at most
 * MAX_MODEL_NODES), found from the stored links beside the walk; nothing is searched in a store without
 * links. Only their keys: what their nodes need is read after, by key, for the graphs that have any
 * (candidatesOf). Planned with the walk on every request, those reads took 1.8 ms of a depth-2 graph's
 * 7.3 in the database where no model was in it (the 1M-edge store; pgbench, three runs each way).
 * With `asOf`, the graph as it was then: a version appears once a training run of it had started.
 */
const trainedVersions = (asOf?: string) => sql`case when exists (select 1 from model_version_links) then (
    select json_agg(json_build_array(v.model_name, v.version) order by v.created_at desc, v.model_name, v.version)
    from (
      select v.model_name, v.version, v.created_at from (
        select l.model_name, l.version from ${linksWithDecisions}
        where l.run_id = any(array(select r.id from runs r where r.job_id = any(array(select job_id from walk_jobs)) and ${startedBy(asOf)}))
          and ${confirmedRunLink}
        union
        -- Versions whose training was also reported by a run of these jobs (an Airflow task for an MLflow run).
        select l.model_name, l.version from ${linksWithDecisions} cross join lateral ${sameRunsOf(sql`l`)} as s(run)
        join runs r on r.id = s.run
        where l.evidence ? 'sameRuns' and ${confirmedRunLink} and r.job_id = any(array(select job_id from walk_jobs)) and ${startedBy(asOf)}) c
      join model_versions v on v.model_name = c.model_name and v.version = c.version
      order by v.created_at desc limit ${MAX_MODEL_NODES}) v) end`;

/**
 * What the nodes of these versions need (trainedVersions' keys), in their order: one prepared statement by
 * key, none when there are none. With `asOf`, their training runs started by then and their deployments
 * current then.
 */
async function candidatesOf(db: Db, trained: readonly Trained[] | null, asOf?: string): Promise<ModelCandidate[]> {
  if (!trained?.length) return [];
  const [found] = await selectByKey<{ list: ModelCandidate[] | null }>(
    db,
    sql`select json_agg(json_build_object('version', ${versionJson('v')}, 'runs', ${trainingRunsOf(sql`v`, asOf)},
        'deployments', ${currentDeploymentsJson('v', asOf)}) order by k.ord) as list
      from unnest(${textArray(trained.map(([name]) => name))}, ${textArray(trained.map(([, version]) => String(version)))}::int[])
        with ordinality k(name, version, ord)
      join model_versions v on v.model_name = k.name and v.version = k.version`,
  );
  return found?.list ?? [];
}

/**
 * Adds the model versions trained by the graph's jobs (a node per version, an edge from each of its
 * training jobs in the graph) and, natively, where they are deployed now (an edge to a node per endpoint
 * and environment). `candidates`: candidatesOf's.
 */
export function withModelNodes<N extends Linked>(
  graph: N[],
  candidates: ModelCandidate[] | null,
  form: ModelForm = 'native',
): (N | GraphNode)[] {
  if (!candidates?.length) return graph;
  const nodes = new Map<string, N | GraphNode>(graph.map((n) => [n.id, n]));
  // Deployment nodes are this function's own: their data is filled in as versions name them.
  const deployments = new Map<string, GraphNode>();
  for (const { version: v, runs, deployments: versionDeployments } of candidates) {
    const runIds = runs.filter((r) => !r.sameAs).map((r) => r.runId);
    const sources = [...new Set(runs.map((r) => nodeId.job(r.namespace, r.job)))].filter((id) => nodes.has(id));
    if (sources.length === 0) continue;
    const node = form === 'native' ? modelNode(v, runIds) : modelDatasetNode(v, runIds);
    nodes.set(node.id, node);
    for (const s of sources) link(nodes, s, node.id);
    if (form !== 'native') continue;
    for (const d of versionDeployments) {
      const id = deploymentNodeId(d.environment, d.endpoint);
      let deployment = deployments.get(id);
      if (!deployment) {
        deployment = { id, type: 'DEPLOYMENT', data: { endpoint: d.endpoint, environment: d.environment }, inEdges: [], outEdges: [] };
        deployments.set(id, deployment);
        nodes.set(id, deployment);
      }
      link(nodes, node.id, id);
      Object.assign(deployment.data, { model: v.name, version: v.version, deployedAt: d.deployedAt, actor: d.actor });
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

/** What adding model nodes needs of a graph's nodes: their ids and edges (their data may still be text). */
interface Linked {
  id: string;
  inEdges: Edge[];
  outEdges: Edge[];
}

function link(nodes: Map<string, Linked>, origin: string, destination: string) {
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
 * The lineage graph around the node `raw` names (as JSON text when it is a dataset's or job's graph with no
 * model nodes, the common case, else as objects): `model:<name>:<version>`, `deployment:<env>:<endpoint>`,
 * `run:<uuid>`, a dataset or a job, or the Marquez form of a model version (`dataset:models:<name>/<version>`,
 * read as a model by modelBehindDataset's rule).
 */
export async function graphAround(
  db: Db,
  raw: string,
  options: GraphOptions,
): Promise<{ graph: GraphNode[] } | string | Uint8Array<ArrayBuffer>> {
  const native = parseModelNodeId(raw);
  if (native) return modelGraph(db, await resolveVersion(db, versionRef(native.name, native.version)), 'native', options);
  if (raw.startsWith(DEPLOYMENT_PREFIX)) return deploymentGraph(db, raw.slice(DEPLOYMENT_PREFIX.length), options);
  const run = parseRunNodeId(raw);
  if (run) return runGraph(db, run, options);
  const model = raw.startsWith(MODEL_DATASET_PREFIX) ? await modelBehindDataset(db, raw.slice(MODEL_DATASET_PREFIX.length)) : undefined;
  if (model) return modelGraph(db, model, 'marquez', options);
  const start = await resolveNodeId(db, raw);
  if (start.type === 'datasetField') throw invalid('/nodeId', 'must be a dataset or job node (datasetField: use /column-lineage)');
  const lineage = await lineageNodes<Trained[]>(db, start, options, trainedVersions(options.asOf));
  const candidates = await candidatesOf(db, lineage.alongside, options.asOf);
  // Answered as text around the stored node documents, with the model nodes its jobs trained (if any) added
  // as objects: the stored ones are not parsed only to be serialized again.
  return graphText(withModelNodes(lineage.nodes, candidates, options.withModels ? 'native' : 'marquez'));
}

const MODEL_DATASET_PREFIX = `dataset:${MODELS_NAMESPACE}:`;
const DEPLOYMENT_PREFIX = 'deployment:';

/** The lineage around a model version: its training jobs' lineage, with the model nodes. */
async function modelGraph(db: Db, v: ModelVersion, form: ModelForm, options: GraphOptions) {
  const [own] = await selectByKey<{ runs: ModelCandidate['runs'] | null }>(
    db,
    sql`select ${trainingRunsOf(sql`v`, options.asOf)} as runs from model_versions v where v.model_name = ${v.name} and v.version = ${v.version}`,
  );
  const runs = own?.runs ?? [];
  const jobs = [...new Map(runs.map((r) => [nodeId.job(r.namespace, r.job), r])).values()];
  const nodes = new Map<string, GraphNode>();
  const trained = new Map<string, Trained>();
  for (const j of jobs) {
    const start = { type: 'job' as const, id: ids.job(j.namespace, j.job), namespace: j.namespace, name: j.job };
    // From a model, "downstream" is where it is deployed: the walk goes up from its training jobs.
    const lineage = await lineageGraph<Trained[]>(
      db,
      start,
      { ...options, direction: options.direction === 'downstream' ? 'upstream' : options.direction },
      trainedVersions(options.asOf),
    );
    for (const n of lineage.graph) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const t of lineage.alongside ?? []) trained.set(modelNodeId(...t), t);
  }
  const candidates = await candidatesOf(db, [...trained.values()], options.asOf);
  const newest = candidates.sort((a, b) => compare(b.version.createdAt, a.version.createdAt)).slice(0, MAX_MODEL_NODES);
  const graph = withModelNodes([...nodes.values()], newest, form);
  const runIds = runs.filter((r) => !r.sameAs).map((r) => r.runId);
  const node = form === 'native' ? modelNode(v, runIds) : modelDatasetNode(v, runIds);
  if (!graph.some((n) => n.id === node.id)) graph.push(node);
  return { graph: graph.sort((a, b) => compare(a.id, b.id)) };
}

/**
 * The lineage around a deployment: what its endpoint serves now (or served at `asOf`), the model version's
 * lineage with MODEL and DEPLOYMENT nodes. Nothing lies downstream of a deployment: the walk goes up.
 */
async function deploymentGraph(db: Db, rest: string, options: GraphOptions) {
  const found = await deploymentAt(db, rest, options.asOf);
  if (!found) throw notFound(`no deployment matches node id "deployment:${rest}"`);
  const d = found.deployment;
  if (!d) throw notFound(`nothing was deployed at "${rest}" by ${options.asOf}`);
  const v = await resolveVersion(db, versionRef(d.model, String(d.version)));
  const { graph } = await modelGraph(db, v, 'native', { ...options, direction: 'upstream', withModels: true });
  const nodes = new Map(graph.map((n) => [n.id, n]));
  const id = deploymentNodeId(d.environment, d.endpoint);
  if (!nodes.has(id)) nodes.set(id, { id, type: 'DEPLOYMENT', data: {}, inEdges: [], outEdges: [] });
  Object.assign(nodes.get(id)!.data, {
    endpoint: d.endpoint,
    environment: d.environment,
    model: d.model,
    version: d.version,
    deployedAt: d.deployedAt,
    actor: d.actor,
  });
  link(nodes, modelNodeId(v.name, v.version), id);
  return { graph: [...nodes.values()].sort((a, b) => compare(a.id, b.id)) };
}

interface RunRow {
  job_id: string;
  namespace: string;
  job_name: string;
  time: string;
  data: {
    inputs: { namespace: string; name: string; version: string | null; datasetVersion: string | null }[];
    outputs: { namespace: string; name: string; version: string | null; datasetVersion: string | null }[];
  } & Record<string, unknown>;
}

/** A run's inputs or outputs (run alias `r`): each dataset with the exact version read or written. */
const runIo = (direction: 'in' | 'out') => sql`coalesce((
    select json_agg(json_build_object('namespace', d.namespace, 'name', d.name, 'version', x.version_id,
      'datasetVersion', (select dv.version from dataset_versions dv where dv.id = x.version_id)) order by d.namespace, d.name)
    from (select io.dataset_id, ${direction === 'in' ? inputVersionId('io', 'r') : sql`io.dataset_version_id`} as version_id
      from run_io io where io.run_id = r.id and io.direction = ${direction}) x
    join datasets d on d.id = x.dataset_id), '[]'::json)`;

/**
 * The lineage around a run: its job's lineage as it was at the run's time (its latest event), and a RUN node
 * (`run:<uuid>`) beside the job, linked to the exact dataset versions it read and wrote.
 */
async function runGraph(db: Db, runId: string, options: GraphOptions) {
  const [run] = await selectByKey<RunRow>(
    db,
    sql`select r.job_id, r.namespace, r.job_name, ${iso(sql`r.updated_at`)} as time, json_build_object(
        'id', r.id, 'state', ${runState(sql`r.state`)},
        'job', json_build_object('namespace', r.namespace, 'name', r.job_name,
          'version', (select jv.version from job_versions jv where jv.id = r.job_version_id)),
        'createdAt', ${iso(sql`r.created_at`)}, 'updatedAt', ${iso(sql`r.updated_at`)},
        'startedAt', ${iso(sql`r.started_at`)}, 'endedAt', ${iso(sql`r.ended_at`)},
        'durationMs', (extract(epoch from r.ended_at - r.started_at) * 1000)::bigint,
        'inputs', ${runIo('in')}, 'outputs', ${runIo('out')}) as data
      from runs r where r.id = ${runId}::uuid`,
  );
  if (!run) throw notFound(`Run '${runId}' not found.`);
  const at = { ...options, asOf: run.time };
  const start = { type: 'job' as const, id: run.job_id, namespace: run.namespace, name: run.job_name };
  const lineage = await lineageGraph<Trained[]>(db, start, at, trainedVersions(at.asOf));
  const candidates = await candidatesOf(db, lineage.alongside, at.asOf);
  const nodes = new Map(withModelNodes(lineage.graph, candidates, options.withModels ? 'native' : 'marquez').map((n) => [n.id, n]));
  const id = nodeId.run(runId);
  nodes.set(id, { id, type: 'RUN', data: run.data, inEdges: [], outEdges: [] });
  for (const input of run.data.inputs) {
    const dataset = nodeId.dataset(input.namespace, input.name);
    if (nodes.has(dataset)) link(nodes, dataset, id);
  }
  for (const output of run.data.outputs) {
    const dataset = nodeId.dataset(output.namespace, output.name);
    if (nodes.has(dataset)) link(nodes, id, dataset);
  }
  return { graph: [...nodes.values()].sort((a, b) => compare(a.id, b.id)) };
}
