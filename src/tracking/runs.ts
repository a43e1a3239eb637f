import { type SQL, sql } from 'drizzle-orm';
import type { MlflowConfig } from '../config';
import { invalid, notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { jsonInOrder, selectByKey } from '../db/sql';
import { artifactLocationSql, lockExperiment, nowMs } from './experiments';
import { type ProjectionCause, projectRun } from './projection';
import { randomRunName } from './run-names';
import { checkExperimentId, checkLong, checkRunId, checkTags, checkText, LIMITS } from './validate';

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_NAME_TAG = 'mlflow.runName';

type KeyValue = { key: string; value: string };

/** A run as MLflow's protocol carries it (mlflow/protos/service.proto: Run). */
export interface Run {
  info: RunInfo;
  data: { metrics: { key: string; value: number | string; timestamp: number; step: number }[]; params: KeyValue[]; tags: KeyValue[] };
  inputs: {
    dataset_inputs: { tags: KeyValue[]; dataset: Record<string, string> }[];
    model_inputs: { model_id: string }[];
  };
  outputs: { model_outputs: { model_id: string; step: number }[] };
}

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
}

const pairs = (table: string, run: SQL) =>
  sql`coalesce((select json_agg(json_build_object('key', x.key, 'value', x.value) order by x.key)
    from ${sql.raw(table)} x where x.run_uuid = ${run}), '[]'::json)`;

/** The run info of alias `r` (mlflow_runs); end_time only once the run has one, as MLflow's proto leaves it unset. */
export const runInfoJson = (r = sql`r`): SQL => sql`json_strip_nulls(json_build_object(
  'run_id', ${r}.run_uuid, 'run_uuid', ${r}.run_uuid, 'run_name', ${r}.name, 'experiment_id', ${r}.experiment_id::text,
  'user_id', ${r}.user_id, 'status', ${r}.status, 'start_time', ${r}.start_time, 'end_time', ${r}.end_time,
  'artifact_uri', ${r}.artifact_uri, 'lifecycle_stage', ${r}.lifecycle_stage))`;

/** The whole run of alias `r`: info, data (latest metrics, params, tags), inputs and outputs (logged models in the order they were created). */
export const runJson = (r = sql`r`): SQL => sql`json_build_object(
  'info', ${runInfoJson(r)},
  'data', json_build_object(
    'metrics', coalesce((select json_agg(json_build_object('key', m.key, 'value', m.value, 'timestamp', m.timestamp, 'step', m.step)
      order by m.key) from mlflow_latest_metrics m where m.run_uuid = ${r}.run_uuid), '[]'::json),
    'params', ${pairs('mlflow_params', sql`${r}.run_uuid`)},
    'tags', ${pairs('mlflow_tags', sql`${r}.run_uuid`)}),
  'inputs', json_build_object(
    'dataset_inputs', coalesce((select json_agg(json_build_object('tags', i.tags, 'dataset', json_strip_nulls(json_build_object(
        'name', d.name, 'digest', d.digest, 'source_type', d.source_type, 'source', d.source, 'schema', d.schema, 'profile', d.profile)))
      order by i.position) from mlflow_run_inputs i join mlflow_datasets d on d.dataset_uuid = i.dataset_uuid
      where i.run_uuid = ${r}.run_uuid), '[]'::json),
    'model_inputs', coalesce((select json_agg(json_build_object('model_id', x.model_id) order by lm.creation_time, x.model_id)
      from mlflow_run_models x left join mlflow_logged_models lm using (model_id)
      where x.run_uuid = ${r}.run_uuid and x.direction = 'in'), '[]'::json)),
  'outputs', json_build_object(
    'model_outputs', coalesce((select json_agg(json_build_object('model_id', x.model_id, 'step', x.step) order by x.step, lm.creation_time, x.model_id)
      from mlflow_run_models x left join mlflow_logged_models lm using (model_id)
      where x.run_uuid = ${r}.run_uuid and x.direction = 'out'), '[]'::json)))`;

export const runNotFound = (id: string) => notFound(`Run with id=${id} not found`);

export async function getRun(db: Db, body: { run_id?: unknown; run_uuid?: unknown }): Promise<Run> {
  const id = checkRunId(body);
  const [row] = await selectByKey<{ json: Run }>(db, sql`select ${runJson()} as json from mlflow_runs r where r.run_uuid = ${id}`);
  if (!row) throw runNotFound(id);
  return row.json;
}

/** Runs by id, in the order given (a page of a search). */
export const runsByIds = (db: Db, ids: readonly string[]) =>
  jsonInOrder<Run>(
    db,
    ids,
    (list) => sql`select r.run_uuid as id, ${runJson()} as json from mlflow_runs r where r.run_uuid = any(${list})`,
  );

export interface LockedRun {
  id: string;
  stage: string;
  status: RunStatus;
  experimentId: number;
}

/** Locks a run's row for a change, in the change's transaction: changes to one run are applied one at a time. */
export async function lockRun(query: Query, id: string): Promise<LockedRun> {
  const [row] = await query<{ stage: string; status: RunStatus; experiment_id: string }>(
    sql`select lifecycle_stage as stage, status, experiment_id from mlflow_runs where run_uuid = ${id} for update`,
  );
  if (!row) throw runNotFound(id);
  return { id, stage: row.stage, status: row.status, experimentId: Number(row.experiment_id) };
}

/** What MLflow's stores refuse on a deleted run: anything but reading, restoring and deleting it. */
export async function lockActiveRun(query: Query, id: string): Promise<LockedRun> {
  const run = await lockRun(query, id);
  if (run.stage !== 'active') throw invalid('/run_id', `The run ${id} must be in the 'active' state. Current state is ${run.stage}.`);
  return run;
}

/**
 * Runs `change` on a run in one transaction, then stores the OpenLineage event that brings the run's
 * lineage up to date (projection.ts), so the lineage never lags the run nor holds a change that failed.
 */
export async function changeRun<T>(
  db: Db,
  config: MlflowConfig,
  id: string,
  change: (query: Query, run: LockedRun) => Promise<{ result: T; cause: ProjectionCause | undefined }>,
  lock: (query: Query, id: string) => Promise<LockedRun> = lockActiveRun,
): Promise<T> {
  return db.transaction(async (query) => {
    const run = await lock(query, id);
    const { result, cause } = await change(query, run);
    if (cause) await projectRun(query, config, id, cause, nowMs());
    return result;
  });
}

export interface NewRun {
  experiment_id?: unknown;
  user_id?: unknown;
  run_name?: unknown;
  start_time?: unknown;
  tags?: unknown;
}

export async function createRun(db: Db, config: MlflowConfig, actor: string | null, input: NewRun): Promise<Run> {
  const experimentId = checkExperimentId(input.experiment_id ?? '0');
  const tags = checkTags(input.tags, 'tags');
  const startTime = checkLong(input.start_time, 'start_time', nowMs(), { min: 0 });
  const runName = checkText(input.run_name, 'run_name', 'run_name', LIMITS.tagValue);
  const tagged = tags.findLast((t) => t.key === RUN_NAME_TAG)?.value;
  if (runName && tagged && runName !== tagged)
    throw invalid(
      '/run_name',
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${runName}', mlflow.runName='${tagged}').`,
    );
  const name = runName || tagged || randomRunName();
  if (!tagged) tags.push({ key: RUN_NAME_TAG, value: name });
  const id = crypto.randomUUID().replace(/-/g, '');
  // MLflow's clients send the user they run as; with Pedigree's keys, the key's principal is who did it.
  const user = checkText(input.user_id, 'user_id', 'user_id', 256) || actor || '';
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    if (e.stage !== 'active')
      throw invalid('/experiment_id', `The experiment ${experimentId} must be in the 'active' state. Current state is ${e.stage}.`);
    await query(sql`insert into mlflow_runs (run_uuid, experiment_id, name, user_id, status, start_time, lifecycle_stage,
        artifact_uri, job_namespace, job_name)
      select ${id}, e.experiment_id, ${name}, ${user}, 'RUNNING', ${startTime}, 'active',
        ${artifactLocationSql(config)} || '/' || ${id} || '/artifacts', ${config.namespace}, e.name
      from mlflow_experiments e where e.experiment_id = ${experimentId}`);
    await writeRunTags(query, id, tags);
    await projectRun(query, config, id, 'created', startTime);
  });
  return getRun(db, { run_id: id });
}

/** Tags, the last value of a key winning; `mlflow.runName` also renames the run, as MLflow's stores do. */
export async function writeRunTags(query: Query, id: string, tags: KeyValue[]) {
  if (tags.length === 0) return;
  const last = [...new Map(tags.map((t) => [t.key, t.value]))].map(([key, value]) => ({ key, value }));
  await query(sql`insert into mlflow_tags (run_uuid, key, value)
    select ${id}, t.key, t.value from jsonb_to_recordset(${JSON.stringify(last)}::jsonb) as t(key text, value text)
    on conflict (run_uuid, key) do update set value = excluded.value`);
  const renamed = last.find((t) => t.key === RUN_NAME_TAG);
  if (renamed) await query(sql`update mlflow_runs set name = ${renamed.value} where run_uuid = ${id}`);
}

/** MLflow's status names, or their proto numbers (RUNNING = 1 … KILLED = 5). */
function checkStatus(value: unknown): RunStatus | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const byNumber = typeof value === 'number' || /^\d+$/.test(String(value)) ? RUN_STATUSES[Number(value) - 1] : undefined;
  const status = byNumber ?? RUN_STATUSES.find((s) => s === value);
  if (!status)
    throw invalid('/status', `Invalid value ${JSON.stringify(value)} for parameter 'status' supplied: one of ${RUN_STATUSES.join(', ')}`);
  return status;
}

const TERMINAL = new Set<RunStatus>(['FINISHED', 'FAILED', 'KILLED']);
export const isTerminal = (status: RunStatus) => TERMINAL.has(status);

export async function updateRun(
  db: Db,
  config: MlflowConfig,
  input: { run_id?: unknown; run_uuid?: unknown; status?: unknown; end_time?: unknown; run_name?: unknown },
): Promise<RunInfo> {
  const id = checkRunId(input);
  const status = checkStatus(input.status);
  const endTime =
    input.end_time === undefined || input.end_time === null ? undefined : checkLong(input.end_time, 'end_time', undefined, { min: 0 });
  const runName = checkText(input.run_name, 'run_name', 'run_name', LIMITS.tagValue);
  await changeRun(db, config, id, async (query, run) => {
    await query(sql`update mlflow_runs set status = coalesce(${status ?? null}, status),
        end_time = coalesce(${endTime ?? null}::bigint, end_time) where run_uuid = ${id}`);
    if (runName) await writeRunTags(query, id, [{ key: RUN_NAME_TAG, value: runName }]);
    const cause: ProjectionCause | undefined =
      status && status !== run.status ? 'status' : runName || endTime !== undefined ? 'data' : undefined;
    return { result: undefined, cause };
  });
  return (await getRun(db, { run_id: id })).info;
}

/** Deleting a run marks it deleted (MLflow's soft delete, restorable); its lineage says so too. */
export async function setRunStage(db: Db, config: MlflowConfig, input: { run_id?: unknown }, stage: 'active' | 'deleted') {
  const id = checkRunId(input);
  await changeRun(
    db,
    config,
    id,
    async (query, run) => {
      if (run.stage === stage) return { result: undefined, cause: undefined };
      await query(sql`update mlflow_runs set lifecycle_stage = ${stage}, deleted_time = ${stage === 'deleted' ? nowMs() : null}
        where run_uuid = ${id}`);
      return { result: undefined, cause: 'lifecycle' };
    },
    lockRun,
  );
}
