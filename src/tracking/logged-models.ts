import { type SQL, sql } from 'drizzle-orm';
import type { MlflowConfig } from '../config';
import { invalid, notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { jsonInOrder, selectByKey } from '../db/sql';
import { artifactLocationSql, lockExperiment, nowMs } from './experiments';
import { projectRun } from './projection';
import { lockRun } from './runs';
import { checkExperimentId, checkKey, checkTags, checkText, LIMITS, missingValue } from './validate';

/**
 * MLflow 3's logged models (`m-<32 hex digits>`): what `log_model` and `initialize_logged_model` create
 * under an experiment, optionally from a run (`source_run_id`), and what `register_model` registers
 * (`models:/<model_id>`). Pedigree keeps their metadata; their files are the client's, under the
 * experiment's artifact location, as for runs.
 */
export const LOGGED_MODEL_STATUSES = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
] as const;
type KeyValue = { key: string; value: string };

export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: string;
    status_message?: string;
    model_type?: string;
    source_run_id?: string;
    tags: KeyValue[];
  };
  data: { params: KeyValue[]; metrics: Record<string, unknown>[] };
}

/** The logged model of alias `m` (mlflow_logged_models). Its metrics are the values logged for it (log_metric with model_id). */
export const loggedModelJson = (m = sql`m`): SQL => sql`json_build_object(
  'info', json_strip_nulls(json_build_object('model_id', ${m}.model_id, 'experiment_id', ${m}.experiment_id::text, 'name', ${m}.name,
    'creation_timestamp_ms', ${m}.creation_time, 'last_updated_timestamp_ms', ${m}.last_updated_time, 'artifact_uri', ${m}.artifact_location,
    'status', ${m}.status, 'status_message', ${m}.status_message, 'model_type', ${m}.model_type, 'source_run_id', ${m}.source_run_id,
    'tags', coalesce((select json_agg(json_build_object('key', t.key, 'value', t.value) order by t.key)
      from mlflow_logged_model_tags t where t.model_id = ${m}.model_id), '[]'::json))),
  'data', json_build_object(
    'params', coalesce((select json_agg(json_build_object('key', p.key, 'value', p.value) order by p.key)
      from mlflow_logged_model_params p where p.model_id = ${m}.model_id), '[]'::json),
    'metrics', coalesce((select json_agg(json_strip_nulls(json_build_object('key', x.key, 'value', x.value, 'timestamp', x.timestamp,
        'step', x.step, 'run_id', x.run_uuid, 'model_id', x.model_id, 'dataset_name', x.dataset_name, 'dataset_digest', x.dataset_digest))
      order by x.key, x.step, x.timestamp) from mlflow_metrics x where x.model_id = ${m}.model_id), '[]'::json)))`;

const modelNotFound = (id: string) => notFound(`Logged model with ID '${id}' not found.`);

function checkModelId(value: unknown): string {
  if (value === undefined || value === null || value === '') throw missingValue('model_id');
  if (typeof value !== 'string' || value.length > 256)
    throw invalid('/model_id', `Invalid value ${JSON.stringify(value)} for parameter 'model_id' supplied.`);
  return value;
}

export async function getLoggedModel(db: Db, modelId: unknown): Promise<LoggedModel> {
  const id = checkModelId(modelId);
  const [row] = await selectByKey<{ json: LoggedModel }>(
    db,
    sql`select ${loggedModelJson()} as json from mlflow_logged_models m where m.model_id = ${id} and m.lifecycle_stage = 'active'`,
  );
  if (!row) throw modelNotFound(id);
  return row.json;
}

export const loggedModelsByIds = (db: Db, ids: readonly string[]) =>
  jsonInOrder<LoggedModel>(
    db,
    ids,
    (list) => sql`select m.model_id as id, ${loggedModelJson()} as json from mlflow_logged_models m
    where m.model_id = any(${list})`,
  );

function checkParams(list: unknown, path: string): KeyValue[] {
  return checkTags(list, path, LIMITS.paramValue);
}

async function writeParams(query: Query, id: string, params: KeyValue[]) {
  if (params.length === 0) return;
  const rows = [...new Map(params.map((p) => [p.key, p.value]))].map(([key, value]) => ({ key, value }));
  await query(sql`insert into mlflow_logged_model_params (model_id, key, value)
    select ${id}, x.key, x.value from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(key text, value text)
    on conflict (model_id, key) do update set value = excluded.value`);
}

async function writeTags(query: Query, id: string, tags: KeyValue[]) {
  if (tags.length === 0) return;
  const rows = [...new Map(tags.map((t) => [t.key, t.value]))].map(([key, value]) => ({ key, value }));
  await query(sql`insert into mlflow_logged_model_tags (model_id, key, value)
    select ${id}, x.key, x.value from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(key text, value text)
    on conflict (model_id, key) do update set value = excluded.value`);
  await query(sql`update mlflow_logged_models set last_updated_time = ${nowMs()} where model_id = ${id}`);
}

export interface NewLoggedModel {
  experiment_id?: unknown;
  name?: unknown;
  model_type?: unknown;
  source_run_id?: unknown;
  params?: unknown;
  tags?: unknown;
}

export async function createLoggedModel(db: Db, config: MlflowConfig, input: NewLoggedModel): Promise<LoggedModel> {
  const experimentId = checkExperimentId(input.experiment_id);
  const name = checkText(input.name, 'name', 'name', LIMITS.datasetName) || randomModelName();
  const modelType = checkText(input.model_type, 'model_type', 'model_type', 256) || null;
  const sourceRunId = checkText(input.source_run_id, 'source_run_id', 'source_run_id', 256) || null;
  const params = checkParams(input.params, 'params');
  const tags = checkTags(input.tags, 'tags');
  const id = `m-${crypto.randomUUID().replace(/-/g, '')}`;
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    if (e.stage !== 'active')
      throw invalid('/experiment_id', `The experiment ${experimentId} must be in the 'active' state. Current state is ${e.stage}.`);
    if (sourceRunId) await lockRun(query, sourceRunId);
    const now = nowMs();
    await query(sql`insert into mlflow_logged_models (model_id, experiment_id, name, artifact_location, creation_time, last_updated_time,
        status, lifecycle_stage, model_type, source_run_id)
      select ${id}, e.experiment_id, ${name}, ${artifactLocationSql(config)} || '/models/' || ${id} || '/artifacts', ${now}, ${now},
        'LOGGED_MODEL_PENDING', 'active', ${modelType}, ${sourceRunId}
      from mlflow_experiments e where e.experiment_id = ${experimentId}`);
    await writeParams(query, id, params);
    await writeTags(query, id, tags);
    // The run that logged it now has an output: the model's files (projection.ts).
    if (sourceRunId) await projectRun(query, config, sourceRunId, 'data', now);
  });
  return getLoggedModel(db, id);
}

const randomModelName = () => `model-${crypto.randomUUID().slice(0, 8)}`;

async function lockModel(query: Query, id: string) {
  const [row] = await query(sql`select 1 from mlflow_logged_models where model_id = ${id} and lifecycle_stage = 'active' for update`);
  if (!row) throw modelNotFound(id);
}

/** MLflow's finalize: the status the upload ended in (READY or UPLOAD_FAILED), by name or proto number. */
export async function finalizeLoggedModel(db: Db, modelId: unknown, statusValue: unknown): Promise<LoggedModel> {
  const id = checkModelId(modelId);
  const status =
    typeof statusValue === 'number' || /^\d+$/.test(String(statusValue ?? ''))
      ? LOGGED_MODEL_STATUSES[Number(statusValue)]
      : LOGGED_MODEL_STATUSES.find((s) => s === statusValue);
  if (!status) throw invalid('/status', `Invalid value ${JSON.stringify(statusValue ?? null)} for parameter 'status' supplied.`);
  await db.transaction(async (query) => {
    await lockModel(query, id);
    await query(sql`update mlflow_logged_models set status = ${status}, last_updated_time = ${nowMs()} where model_id = ${id}`);
  });
  return getLoggedModel(db, id);
}

export async function setLoggedModelTags(db: Db, modelId: unknown, tagList: unknown) {
  const id = checkModelId(modelId);
  const tags = checkTags(tagList, 'tags');
  await db.transaction(async (query) => {
    await lockModel(query, id);
    await writeTags(query, id, tags);
  });
}

export async function deleteLoggedModelTag(db: Db, modelId: unknown, key: unknown) {
  const id = checkModelId(modelId);
  const k = checkKey(key, 'tag_key', 'tag_key');
  await db.transaction(async (query) => {
    await lockModel(query, id);
    const deleted = await query(sql`delete from mlflow_logged_model_tags where model_id = ${id} and key = ${k} returning key`);
    if (deleted.length === 0) throw notFound(`No tag with key '${k}' found for model with ID '${id}'.`);
  });
}

export async function logLoggedModelParams(db: Db, modelId: unknown, paramList: unknown) {
  const id = checkModelId(modelId);
  const params = checkParams(paramList, 'params');
  await db.transaction(async (query) => {
    await lockModel(query, id);
    await writeParams(query, id, params);
  });
}

/**
 * MLflow deletes a logged model softly: it is no longer found nor searched, but the versions registered
 * from it still know which run it came from.
 */
export async function deleteLoggedModel(db: Db, modelId: unknown) {
  const id = checkModelId(modelId);
  await db.transaction(async (query) => {
    await lockModel(query, id);
    await query(sql`update mlflow_logged_models set lifecycle_stage = 'deleted', last_updated_time = ${nowMs()} where model_id = ${id}`);
  });
}

/** Where a logged model's files are (a model version's download URI), deleted or not; null if unknown. */
export async function loggedModelArtifactUri(db: Db, modelId: string): Promise<string | null> {
  const [row] = await selectByKey<{ uri: string }>(
    db,
    sql`select artifact_location as uri from mlflow_logged_models where model_id = ${modelId}`,
  );
  return row?.uri ?? null;
}
