import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ids } from '../ids';
import { inputVersionId } from '../read/json';
import { missing } from '../read/owned';
import { select, uuidArray } from '../read/sql';
import { type Deployment, listDeployments } from './deployments';
import { trainingRuns, versionLinks } from './links';
import { type ModelVersion, resolveVersion } from './registry';

/** Runs reached from the dataset; past this the answer says it was cut short rather than run away. */
const MAX_REACHED_RUNS = 50_000;

export interface ModelConsumer {
  model: string;
  version: number;
  stage: string;
  aliases: string[];
  /** What the version serves now (its current deployments). */
  deployments: Deployment[];
  /** In the Production stage. */
  inProduction: boolean;
  /** Served somewhere now. */
  deployed: boolean;
  trainingRunId: string;
  /** How the data got there: the dataset (at the version read), then each job and what it wrote, to the training job. */
  path: { kind: 'dataset' | 'job'; namespace: string; name: string; version?: string | null; runId?: string }[];
  direct: boolean;
}

interface Reached {
  run_id: string;
  depth: number;
  prev_run: string | null;
  via_dataset: string;
  via_namespace: string;
  via_name: string;
  via_version: string | null;
  job_namespace: string;
  job_name: string;
}

/**
 * Question 2: the model versions trained on a dataset (at a version), directly or through downstream
 * jobs. Provenance is followed run by run: the runs that read the dataset (at that version), the dataset
 * versions they wrote, the runs that read those versions, and so on; a model version counts when one of
 * its confirmed training runs is among them. So a model trained before the version existed, or on another
 * branch of the graph, is not named.
 */
export async function modelsTrainedOn(
  db: Db,
  dataset: { namespace: string; name: string },
  options: { version?: string; transitive: boolean; depth: number },
): Promise<{ dataset: typeof dataset & { version: string | null }; models: ModelConsumer[]; truncated: boolean }> {
  const datasetId = ids.dataset(dataset.namespace, dataset.name);
  const [exists] = await select(db, sql`select 1 from datasets where id = ${datasetId}`);
  if (!exists) throw await missing(db, dataset.namespace, 'Dataset', dataset.name);
  const version = options.version ?? null;
  const depth = options.transitive ? options.depth : 0;
  const reached = await select<Reached>(
    db,
    sql`with recursive
    seeds as (
      select io.run_id, io.dataset_id, coalesce(io.version, dv.version) as version
      from run_io io join runs r on r.id = io.run_id
      left join dataset_versions dv on dv.id = ${inputVersionId('io', 'r')}
      where io.dataset_id = ${datasetId} and io.direction = 'in'
        and (${version}::text is null or io.version = ${version}::text or dv.version = ${version}::text or dv.id::text = ${version}::text)),
    reach(run_id, depth, prev_run, via_dataset, via_version) as (
      select run_id, 0, null::uuid, dataset_id, version from seeds
      union
      select io.run_id, x.depth + 1, x.run_id, dv.dataset_id, coalesce(io.version, dv.version)
      from reach x
      join dataset_versions dv on dv.run_id = x.run_id
      join run_io io on io.dataset_id = dv.dataset_id and io.direction = 'in' and io.run_id <> x.run_id
      join runs r on r.id = io.run_id
      where x.depth < ${depth} and ${inputVersionId('io', 'r')} = dv.id),
    -- One path per run: the shortest, then by the names it goes through (deterministic).
    firsts as (select distinct on (x.run_id) x.* from reach x join datasets vd on vd.id = x.via_dataset
      order by x.run_id, x.depth, vd.namespace, vd.name limit ${MAX_REACHED_RUNS + 1})
    select f.run_id, f.depth, f.prev_run, f.via_dataset, d.namespace as via_namespace, d.name as via_name, f.via_version,
      r.namespace as job_namespace, r.job_name
    from firsts f join runs r on r.id = f.run_id join datasets d on d.id = f.via_dataset`,
  );
  const truncated = reached.length > MAX_REACHED_RUNS;
  const byRun = new Map(reached.map((r) => [r.run_id, r]));
  const candidates = await candidateVersions(db, [...byRun.keys()]);
  const models: ModelConsumer[] = [];
  for (const c of candidates) {
    const v = await resolveVersion(db, { name: c.name, version: c.version });
    const runs = trainingRuns(await versionLinks(db, v)).filter((id) => byRun.has(id));
    const run = runs.map((id) => byRun.get(id)!).sort((a, b) => a.depth - b.depth)[0];
    if (!run) continue;
    models.push(await consumer(db, v, run, byRun));
  }
  const live = (m: ModelConsumer) => Number(m.inProduction) + Number(m.deployed);
  models.sort((a, b) => live(b) - live(a) || (a.model < b.model ? -1 : a.model > b.model ? 1 : b.version - a.version));
  return { dataset: { ...dataset, version }, models, truncated };
}

/**
 * Versions whose evidence points at one of the runs: the run id, the registry run id on the run's tags
 * facet, or an artifact the run wrote. Their links are then computed in full (decisions, ambiguity).
 */
async function candidateVersions(db: Db, runIds: string[]): Promise<{ name: string; version: number }[]> {
  if (runIds.length === 0) return [];
  const runs = uuidArray(runIds);
  return select(
    db,
    sql`select distinct mv.model_name as name, mv.version from model_versions mv
    where mv.run_uuid = any(${runs})
      or mv.run_id in (
        select e->>'value' from facets f
        cross join lateral jsonb_array_elements(case when jsonb_typeof(f.value->'tags') = 'array' then f.value->'tags' else '[]' end) e
        where f.owner_id = any(${runs}) and f.name = 'tags' and f.owner_kind = 'run'
          and e->>'key' in ('mlflow.run_id', 'mlflow_run_id', 'registry_run_id')
        union
        select f.value->>'run_id' from facets f where f.owner_id = any(${runs}) and f.name = 'mlflow' and f.owner_kind = 'run')
      or mv.source_dataset_ids && array(select io.dataset_id from run_io io where io.run_id = any(${runs}) and io.direction = 'out')
    order by 1, 2`,
  );
}

async function consumer(db: Db, v: ModelVersion, run: Reached, byRun: Map<string, Reached>): Promise<ModelConsumer> {
  const path: ModelConsumer['path'] = [];
  // Walk back from the training run to the run that read the dataset asked about.
  const chain: Reached[] = [];
  for (let r: Reached | undefined = run; r; r = r.prev_run ? byRun.get(r.prev_run) : undefined) chain.unshift(r);
  for (const step of chain) {
    path.push({ kind: 'dataset', namespace: step.via_namespace, name: step.via_name, version: step.via_version });
    path.push({ kind: 'job', namespace: step.job_namespace, name: step.job_name, runId: step.run_id });
  }
  const deployments = (await listDeployments(db, { model: v.name, version: v.version })).filter((d) => d.current);
  return {
    model: v.name,
    version: v.version,
    stage: v.stage,
    aliases: v.aliases,
    deployments,
    inProduction: v.stage === 'Production',
    deployed: deployments.length > 0,
    trainingRunId: run.run_id,
    path,
    direct: run.depth === 0,
  };
}
