import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso, selectByKey, uuidArray } from '../db/sql';
import { inputVersionId, runState } from '../read/json';
import { type Link, sameTrainingOf, trainingRuns } from './links';

/**
 * What a training run tells about the model it produced: the exact dataset versions it read (with the
 * schema each had), what it wrote, its code (the source-code-location job facet the run sent, and a
 * `git_commit` tag), its parameters (execution-parameters facet) and tags (tags facet), the latest metrics
 * an MLflow run logged (its `mlflow_metrics` facet), its environment; and the other runs that were the same
 * training (see sameTrainingCtes in link-evidence.ts), whose data it shows too.
 */
export interface TrainingRun {
  runId: string;
  state: string;
  startedAt: string | null;
  endedAt: string | null;
  job: { namespace: string; name: string; version: string | null };
  inputs: DatasetAtVersion[];
  outputs: DatasetAtVersion[];
  code: { gitCommit: string | null; url: string | null; repoUrl: string | null; path: string | null; branch: string | null } | null;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number | string>;
  environment: { processingEngine: unknown; environmentVariables: Record<string, string> } | null;
  /** Runs of other integrations that were this training (an Airflow task carrying this MLflow run's id). */
  sameTraining: { runId: string; job: { namespace: string; name: string } }[];
}

export interface DatasetAtVersion {
  namespace: string;
  name: string;
  /** The producer's version (dataset-version facet) when known, else the id of the version resolved. */
  version: string | null;
  versionId: string | null;
  /** Top-level fields of the schema the run saw (the input's own schema facet, else the version's). */
  fields: { name: string; type: string | null }[] | null;
}

/** A facet of a run, by name; null when absent. */
const runFacet = (run: SQL, name: string) =>
  sql`(select f.value from facet_rows f where f.owner_id = ${run} and f.name = ${name} and f.owner_kind = 'run')`;

/** Key/value pairs of an array facet field (tags: key/value; execution parameters: key/value). */
const pairs = (value: SQL, field: string) => sql`coalesce((
  select json_object_agg(e->>'key', e->>'value' order by e->>'key')
  from jsonb_array_elements(case when jsonb_typeof(${value}->${field}) = 'array' then ${value}->${field} else '[]' end) e
  where e ? 'key'), '{}'::json)`;

/** The latest value of each metric of an `mlflow_metrics` facet (src/tracking/projection.ts), by key. */
const metricsOf = (value: SQL) => sql`coalesce((
  select json_object_agg(e->>'key', e->'value' order by e->>'key')
  from jsonb_array_elements(case when jsonb_typeof(${value}->'metrics') = 'array' then ${value}->'metrics' else '[]' end) e
  where jsonb_typeof(e) = 'object' and e ? 'key' and e ? 'value'), '{}'::json)`;

const fieldsOf = (schema: SQL) => sql`(
  select json_agg(json_build_object('name', f->>'name', 'type', f->>'type') order by ord)
  from jsonb_array_elements(case when jsonb_typeof(${schema}->'fields') = 'array' then ${schema}->'fields' else '[]' end)
    with ordinality x(f, ord) where f ? 'name')`;

function ioJson(direction: 'in' | 'out'): SQL {
  const versionId = direction === 'in' ? inputVersionId('io', 'r') : sql`io.dataset_version_id`;
  // The schema as the run saw it: its input's dataset facets (owner id = idOf('input_dataset', io.id)),
  // else the facets recorded on the dataset version, else the dataset's latest.
  const seen = sql`(select f.value from facet_rows f where f.owner_id = pedigree_id('input_dataset', io.id::text) and f.name = 'schema')`;
  const ofVersion = sql`(select f.value from facet_rows f where f.owner_id = x.version_id and f.name = 'schema')`;
  const ofDataset = sql`(select f.value from facet_rows f where f.owner_id = d.id and f.name = 'schema')`;
  const schema = direction === 'in' ? sql`coalesce(${seen}, ${ofVersion}, ${ofDataset})` : sql`coalesce(${ofVersion}, ${ofDataset})`;
  return sql`coalesce((
    select json_agg(json_build_object('namespace', d.namespace, 'name', d.name,
      'version', coalesce(io.version, dv.version, x.version_id::text), 'versionId', x.version_id,
      'fields', ${fieldsOf(schema)}) order by d.namespace, d.name)
    from run_io io join datasets d on d.id = io.dataset_id
    cross join lateral (select ${versionId} as version_id) x
    left join dataset_versions dv on dv.id = x.version_id
    where io.run_id = r.id and io.direction = ${direction}), '[]'::json)`;
}

/** The confirmed training runs of a version's links, each with the runs that were the same training merged in. */
export const linkedTrainingRuns = (db: Db, links: Link[]) => trainingRunDetails(db, trainingRuns(links), sameTrainingOf(links));

/**
 * The runs `runIds`, oldest first; with `sameTraining`, each with what the runs that were the same training
 * saw and it lacks (mergeSameTraining).
 */
export async function trainingRunDetails(
  db: Db,
  runIds: string[],
  sameTraining: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<TrainingRun[]> {
  const wanted = new Set(runIds);
  const others = [...new Set(runIds.flatMap((id) => sameTraining.get(id) ?? []))].filter((id) => !wanted.has(id));
  const all = await runDetails(db, [...runIds, ...others]);
  const byId = new Map(all.map((r) => [r.runId, r]));
  return all
    .filter((r) => wanted.has(r.runId))
    .map((r) =>
      mergeSameTraining(
        r,
        (sameTraining.get(r.runId) ?? []).flatMap((id) => byId.get(id) ?? []),
      ),
    );
}

/**
 * One training seen by several integrations, as one run: the run the version names, with the datasets the
 * others read or wrote that it does not name (the Airflow task read the tables; the MLflow run logged none or
 * others), their parameters, tags and metrics under its own (its own win), and their code and environment
 * when it has none. Its state, times and job are its own.
 */
function mergeSameTraining(run: TrainingRun, others: TrainingRun[]): TrainingRun {
  if (others.length === 0) return run;
  const union = (own: DatasetAtVersion[], more: DatasetAtVersion[]) => {
    const key = (d: DatasetAtVersion) => `${d.namespace}\u0000${d.name}`;
    const seen = new Set(own.map(key));
    const added = more.filter((d) => !seen.has(key(d)) && seen.add(key(d)));
    return [...own, ...added].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  };
  const under = <K extends 'parameters' | 'tags' | 'metrics'>(k: K) =>
    Object.assign({}, ...others.map((o) => o[k]), run[k]) as TrainingRun[K];
  const hasEnvironment = (r: TrainingRun) =>
    r.environment !== null && (r.environment.processingEngine !== null || Object.keys(r.environment.environmentVariables).length > 0);
  return {
    ...run,
    inputs: union(
      run.inputs,
      others.flatMap((o) => o.inputs),
    ),
    outputs: union(
      run.outputs,
      others.flatMap((o) => o.outputs),
    ),
    code: run.code ?? others.find((o) => o.code)?.code ?? null,
    parameters: under('parameters'),
    tags: under('tags'),
    metrics: under('metrics'),
    environment: hasEnvironment(run) ? run.environment : (others.find(hasEnvironment)?.environment ?? run.environment),
    sameTraining: others.map((o) => ({ runId: o.runId, job: { namespace: o.job.namespace, name: o.job.name } })),
  };
}

async function runDetails(db: Db, runIds: string[]): Promise<TrainingRun[]> {
  if (runIds.length === 0) return [];
  const code = sql`(select f.value from facet_rows f where f.run_id = r.id and f.owner_kind = 'run_job' and f.name = 'sourceCodeLocation')`;
  const tags = runFacet(sql`r.id`, 'tags');
  const parameters = sql`(select f.value from facet_rows f where f.owner_id = r.id and f.owner_kind = 'run'
    and (f.name in ('executionParameters', 'execution_parameters', 'parameters') or f.value->>'_schemaURL' like '%ExecutionParametersRunFacet%')
    order by f.name limit 1)`;
  const env = runFacet(sql`r.id`, 'environmentVariables');
  const rows = await selectByKey<{ json: TrainingRun }>(
    db,
    sql`select json_build_object(
      'runId', r.id, 'state', ${runState(sql`r.state`)}, 'startedAt', ${iso(sql`r.started_at`)}, 'endedAt', ${iso(sql`r.ended_at`)},
      'job', json_build_object('namespace', r.namespace, 'name', r.job_name,
        'version', (select jv.version from job_versions jv where jv.id = r.job_version_id)),
      'inputs', ${ioJson('in')},
      'outputs', ${ioJson('out')},
      'code', (select json_build_object('gitCommit', c->>'version', 'url', c->>'url',
          'repoUrl', c->>'repoUrl', 'path', c->>'path', 'branch', c->>'branch') from (select ${code} as c) code where c is not null),
      'parameters', ${pairs(parameters, 'parameters')},
      'tags', ${pairs(tags, 'tags')},
      'metrics', ${metricsOf(runFacet(sql`r.id`, 'mlflow_metrics'))},
      'sameTraining', '[]'::json,
      'environment', json_build_object('processingEngine', ${runFacet(sql`r.id`, 'processing_engine')},
        'environmentVariables', coalesce((select json_object_agg(e->>'name', e->>'value' order by e->>'name')
          from jsonb_array_elements(case when jsonb_typeof(${env}->'environmentVariables') = 'array' then ${env}->'environmentVariables' else '[]' end) e), '{}'::json))
    ) as json from runs r where r.id = any(${uuidArray(runIds)}) order by r.created_at`,
  );
  return rows.map((r) => {
    const run = r.json;
    // A git commit given as a run tag (the seed practice; MLflow's client tags the commit too) when the code facet has none.
    const commit = run.code?.gitCommit ?? run.tags.git_commit ?? run.tags['mlflow.source.git.commit'] ?? null;
    if (commit) run.code = { gitCommit: commit, url: null, repoUrl: null, path: null, branch: null, ...stripNull(run.code) };
    return run;
  });
}

function stripNull<T extends object>(o: T | null): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as Partial<T>;
}
