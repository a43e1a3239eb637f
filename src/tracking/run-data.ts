import { sql } from 'drizzle-orm';
import type { MlflowConfig } from '../config';
import { invalid, notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { select } from '../db/sql';
import { pageOf } from '../models/mlflow-page';
import type { ProjectionCause } from './projection';
import type { LoggedInput } from './run-snapshot';
import { changeRun, type LockedRun, runNotFound, writeRunTags } from './runs';
import { checkBatchLimit, checkKey, checkLong, checkMetricValue, checkRunId, checkTags, checkText, LIMITS, missingValue } from './validate';

/**
 * What a run logs: metrics (every value kept, the latest per key for reading and searching), params (set
 * once), tags, dataset inputs and MLflow 3's model inputs and outputs. Each call is one transaction that
 * also brings the run's lineage up to date (runs.ts changeRun).
 */

interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  modelId: string | null;
  datasetName: string | null;
  datasetDigest: string | null;
}

type RunRef = { run_id?: unknown; run_uuid?: unknown };

function checkMetric(m: unknown, path: string): Metric {
  if (typeof m !== 'object' || m === null) throw invalid(`/${path}`, `Invalid value for parameter '${path}' supplied.`);
  const x = m as Record<string, unknown>;
  const key = checkKey(x.key, path ? `${path}.key` : 'key', 'Metric name');
  return {
    key,
    value: checkMetricValue(x.value, path ? `${path}.value` : 'value', key),
    timestamp: checkLong(x.timestamp, path ? `${path}.timestamp` : 'timestamp', undefined, { min: 0 }),
    step: checkLong(x.step, path ? `${path}.step` : 'step', 0),
    modelId: checkText(x.model_id, 'model_id', 'model_id', 256) || null,
    datasetName: checkText(x.dataset_name, 'dataset_name', 'dataset_name', LIMITS.datasetName) || null,
    datasetDigest: checkText(x.dataset_digest, 'dataset_digest', 'dataset_digest', LIMITS.datasetDigest) || null,
  };
}

function checkParam(p: unknown, path: string): { key: string; value: string } {
  if (typeof p !== 'object' || p === null) throw invalid(`/${path}`, `Invalid value for parameter '${path}' supplied.`);
  const x = p as Record<string, unknown>;
  return {
    key: checkKey(x.key, path ? `${path}.key` : 'key', 'Param key'),
    value: checkText(x.value, path ? `${path}.value` : 'value', 'Param value', LIMITS.paramValue),
  };
}

/** Largest step, then latest time, then largest value (NaN above all): MLflow's latest metric. */
const later = (a: Metric, b: Metric) => {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return Number.isNaN(a.value) || a.value > b.value;
};

/** A double as Postgres reads it from text: JSON has no NaN or infinities. */
const doubleText = (v: number) =>
  Number.isNaN(v) ? 'NaN' : v === Number.POSITIVE_INFINITY ? 'Infinity' : v === Number.NEGATIVE_INFINITY ? '-Infinity' : String(v);

async function writeMetrics(query: Query, run: LockedRun, metrics: Metric[]) {
  if (metrics.length === 0) return;
  const rows = JSON.stringify(metrics.map((m) => ({ ...m, value: doubleText(m.value) })));
  await query(sql`insert into mlflow_metrics (run_uuid, key, value, timestamp, step, model_id, dataset_name, dataset_digest)
    select ${run.id}, m.key, m.value::float8, m.timestamp, m.step, m."modelId", m."datasetName", m."datasetDigest"
    from jsonb_to_recordset(${rows}::jsonb) as m(key text, value text, timestamp bigint, step bigint, "modelId" text, "datasetName" text, "datasetDigest" text)`);
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const seen = latest.get(m.key);
    if (!seen || later(m, seen)) latest.set(m.key, m);
  }
  const top = JSON.stringify(
    [...latest.values()].map((m) => ({ key: m.key, value: doubleText(m.value), timestamp: m.timestamp, step: m.step })),
  );
  await query(sql`insert into mlflow_latest_metrics as l (run_uuid, key, value, timestamp, step)
    select ${run.id}, m.key, m.value::float8, m.timestamp, m.step from jsonb_to_recordset(${top}::jsonb) as m(key text, value text, timestamp bigint, step bigint)
    on conflict (run_uuid, key) do update set value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
    where (excluded.step, excluded.timestamp, excluded.value) >= (l.step, l.timestamp, l.value)`);
  const models = [...new Set(metrics.flatMap((m) => (m.modelId ? [m.modelId] : [])))];
  if (models.length)
    await writeRunModels(
      query,
      run.id,
      'in',
      models.map((modelId) => ({ modelId, step: 0 })),
    );
}

/**
 * Params are written once: logging a key again with the same value is a no-op, with another value is
 * refused with MLflow's message (a run's parameters are what it ran with).
 */
async function writeParams(query: Query, run: LockedRun, params: { key: string; value: string }[]) {
  if (params.length === 0) return;
  const seen = new Map<string, string>();
  for (const p of params) {
    if (seen.has(p.key) && seen.get(p.key) !== p.value)
      throw invalid(
        '/params',
        `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`,
      );
    seen.set(p.key, p.value);
  }
  const rows = JSON.stringify([...seen].map(([key, value]) => ({ key, value })));
  const existing = await query<{ key: string; value: string }>(sql`select p.key, p.value from mlflow_params p
    join jsonb_to_recordset(${rows}::jsonb) as x(key text, value text) on x.key = p.key where p.run_uuid = ${run.id}`);
  for (const e of existing)
    if (seen.get(e.key) !== e.value)
      throw invalid(
        '/params',
        `Changing param values is not allowed. Param with key='${e.key}' was already logged with value='${e.value}' for run ID='${run.id}'. Attempted logging new value '${seen.get(e.key)}'.`,
      );
  await query(sql`insert into mlflow_params (run_uuid, key, value)
    select ${run.id}, x.key, x.value from jsonb_to_recordset(${rows}::jsonb) as x(key text, value text)
    on conflict (run_uuid, key) do nothing`);
  return existing.length < seen.size;
}

async function writeRunModels(query: Query, runId: string, direction: 'in' | 'out', models: { modelId: string; step: number }[]) {
  await query(sql`insert into mlflow_run_models (run_uuid, model_id, direction, step)
    select ${runId}, x."modelId", ${direction}, x.step from jsonb_to_recordset(${JSON.stringify(models)}::jsonb) as x("modelId" text, step bigint)
    on conflict (run_uuid, direction, model_id) do update set step = greatest(mlflow_run_models.step, excluded.step)`);
}

export async function logMetric(db: Db, config: MlflowConfig, body: RunRef & Record<string, unknown>) {
  const id = checkRunId(body);
  const metric = checkMetric(body, '');
  await changeRun(db, config, id, async (query, run) => {
    await writeMetrics(query, run, [metric]);
    return { result: undefined, cause: 'metrics' };
  });
}

export async function logParam(db: Db, config: MlflowConfig, body: RunRef & Record<string, unknown>) {
  const id = checkRunId(body);
  const param = checkParam(body, '');
  await changeRun(db, config, id, async (query, run) => {
    const added = await writeParams(query, run, [param]);
    return { result: undefined, cause: added ? 'data' : undefined };
  });
}

export async function setTag(db: Db, config: MlflowConfig, body: RunRef & { key?: unknown; value?: unknown }) {
  const id = checkRunId(body);
  const [tag] = checkTags([{ key: body.key, value: body.value }], 'tags');
  await changeRun(db, config, id, async (query) => {
    await writeRunTags(query, id, [tag!]);
    return { result: undefined, cause: 'data' };
  });
}

export async function deleteTag(db: Db, config: MlflowConfig, body: RunRef & { key?: unknown }) {
  const id = checkRunId(body);
  const key = checkKey(body.key, 'key', 'key');
  await changeRun(db, config, id, async (query) => {
    const deleted = await query(sql`delete from mlflow_tags where run_uuid = ${id} and key = ${key} returning key`);
    if (deleted.length === 0) throw notFound(`No tag with name: ${key} in run with id ${id}`);
    return { result: undefined, cause: 'data' };
  });
}

const list = (v: unknown, path: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`/${path}`, `Invalid value ${JSON.stringify(v)} for parameter '${path}' supplied: must be a list.`);
  return v;
};

/** MLflow's log-batch: limits first, then every item checked, then all written in one transaction. */
export async function logBatch(db: Db, config: MlflowConfig, body: RunRef & { metrics?: unknown; params?: unknown; tags?: unknown }) {
  const id = checkRunId(body);
  const rawMetrics = list(body.metrics, 'metrics');
  const rawParams = list(body.params, 'params');
  const rawTags = list(body.tags, 'tags');
  checkBatchLimit('metrics', LIMITS.metricsPerBatch, rawMetrics.length);
  checkBatchLimit('params', LIMITS.paramsTagsPerBatch, rawParams.length);
  checkBatchLimit('tags', LIMITS.paramsTagsPerBatch, rawTags.length);
  checkBatchLimit('metrics, params, and tags', LIMITS.entitiesPerBatch, rawMetrics.length + rawParams.length + rawTags.length);
  const metrics = rawMetrics.map((m, i) => checkMetric(m, `metrics[${i}]`));
  const params = rawParams.map((p, i) => checkParam(p, `params[${i}]`));
  const tags = checkTags(rawTags, 'tags');
  await changeRun(db, config, id, async (query, run) => {
    const added = await writeParams(query, run, params);
    await writeRunTags(query, id, tags);
    await writeMetrics(query, run, metrics);
    const cause: ProjectionCause | undefined = added || tags.length ? 'data' : metrics.length ? 'metrics' : undefined;
    return { result: undefined, cause };
  });
}

/** A dataset input as logged: the shape the projection reads back (run-snapshot.ts). */
type DatasetInput = LoggedInput;

function checkDatasetInput(x: unknown, i: number): DatasetInput {
  const path = `datasets[${i}]`;
  if (typeof x !== 'object' || x === null) throw invalid(`/datasets/${i}`, `Invalid value for parameter '${path}' supplied.`);
  const { tags, dataset } = x as { tags?: unknown; dataset?: unknown };
  if (typeof dataset !== 'object' || dataset === null) throw missingValue(`${path}.dataset`);
  const d = dataset as Record<string, unknown>;
  const required = (field: string, limit: number) => {
    const v = checkText(d[field], `${path}.dataset.${field}`, `Dataset ${field}`, limit);
    if (!v) throw missingValue(`${path}.dataset.${field}`);
    return v;
  };
  const inputTags = checkTags(tags, `${path}.tags`, LIMITS.inputTagValue);
  for (const [j, t] of inputTags.entries())
    if (t.key.length > LIMITS.inputTagKey)
      throw invalid(`/datasets/${i}/tags/${j}/key`, `'Input tag key' exceeds the maximum length of ${LIMITS.inputTagKey} characters`);
  return {
    tags: inputTags,
    name: required('name', LIMITS.datasetName),
    digest: required('digest', LIMITS.datasetDigest),
    sourceType: required('source_type', 256),
    source: required('source', LIMITS.datasetSource),
    schema: checkText(d.schema, `${path}.dataset.schema`, 'Dataset schema', LIMITS.datasetSchema) || null,
    profile: checkText(d.profile, `${path}.dataset.profile`, 'Dataset profile', LIMITS.datasetProfile) || null,
  };
}

/**
 * MLflow's log-inputs: datasets (name, digest, source, schema, profile; once per experiment, name and
 * digest) with the input's tags, and MLflow 3's models. A dataset logged again is the same input.
 */
export async function logInputs(db: Db, config: MlflowConfig, body: RunRef & { datasets?: unknown; models?: unknown }) {
  const id = checkRunId(body);
  const raw = list(body.datasets, 'datasets');
  checkBatchLimit('datasets', LIMITS.datasetsPerBatch, raw.length);
  const datasets = raw.map(checkDatasetInput);
  const models = list(body.models, 'models').map((m, i) => {
    const modelId = checkText((m as { model_id?: unknown } | null)?.model_id, `models[${i}].model_id`, 'model_id', 256);
    if (!modelId) throw missingValue(`models[${i}].model_id`);
    return { modelId, step: 0 };
  });
  await changeRun(db, config, id, async (query, run) => {
    for (const d of datasets) {
      const [row] = await query<{
        id: string;
      }>(sql`insert into mlflow_datasets as x (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
        values (${crypto.randomUUID()}, ${run.experimentId}, ${d.name}, ${d.digest}, ${d.sourceType}, ${d.source}, ${d.schema}, ${d.profile})
        on conflict (experiment_id, name, digest) do update set name = x.name returning dataset_uuid as id`);
      await query(sql`insert into mlflow_run_inputs (run_uuid, dataset_uuid, tags, position)
        select ${id}, ${row!.id}::uuid, ${JSON.stringify(d.tags)}::jsonb, coalesce(max(position), 0) + 1 from mlflow_run_inputs where run_uuid = ${id}
        on conflict (run_uuid, dataset_uuid) do nothing`);
    }
    if (models.length) await writeRunModels(query, id, 'in', models);
    return { result: undefined, cause: datasets.length ? 'data' : undefined };
  });
}

/** MLflow 3's log-outputs: the logged models a run produced, with the step. */
export async function logOutputs(db: Db, config: MlflowConfig, body: RunRef & { models?: unknown }) {
  const id = checkRunId(body);
  const models = list(body.models, 'models').map((m, i) => {
    const x = (m ?? {}) as { model_id?: unknown; step?: unknown };
    const modelId = checkText(x.model_id, `models[${i}].model_id`, 'model_id', 256);
    if (!modelId) throw missingValue(`models[${i}].model_id`);
    return { modelId, step: checkLong(x.step, `models[${i}].step`, 0) };
  });
  await changeRun(db, config, id, async (query) => {
    if (models.length) await writeRunModels(query, id, 'out', models);
    return { result: undefined, cause: models.length ? 'data' : undefined };
  });
}

export interface MetricHistoryQuery {
  run_id?: unknown;
  run_uuid?: unknown;
  metric_key?: unknown;
  max_results?: number;
  page_token?: string;
}

/** Every value logged for a metric, oldest first (a page at a time when the client asks for one). */
export async function metricHistory(db: Db, q: MetricHistoryQuery) {
  const id = checkRunId(q);
  const key = q.metric_key;
  if (key === undefined || key === null || key === '') throw missingValue('metric_key');
  const exists = await select(db, sql`select 1 from mlflow_runs where run_uuid = ${id}`);
  if (exists.length === 0) throw runNotFound(id);
  const page = await pageOf<{ key: string; value: number | string; timestamp: number; step: number }>(
    db,
    sql`select json_build_object('key', m.key, 'value', m.value, 'timestamp', m.timestamp, 'step', m.step, 'run_id', m.run_uuid) as json
      from mlflow_metrics m where m.run_uuid = ${id} and m.key = ${String(key)} order by m.timestamp, m.step, m.value`,
    { maxResults: q.max_results ?? 25_000, pageToken: q.page_token },
  );
  return { metrics: page.items, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
}

const LOGGED_MODELS_TAG = 'mlflow.log-model.history';

/**
 * MLflow 2's log-model: a model's metadata (its MLmodel file as JSON), appended to the run's
 * `mlflow.log-model.history` tag as MLflow's stores keep it. MLflow 2 clients call it after every
 * `log_model`; MLflow 3 clients create logged models instead.
 */
export async function logModel(db: Db, config: MlflowConfig, body: RunRef & { model_json?: unknown }) {
  const id = checkRunId(body);
  if (body.model_json === undefined || body.model_json === null || body.model_json === '') throw missingValue('model_json');
  if (typeof body.model_json !== 'string')
    throw invalid('/model_json', "Invalid value for parameter 'model_json' supplied: must be a string.");
  let model: unknown;
  try {
    model = JSON.parse(body.model_json);
  } catch {
    throw invalid('/model_json', `Malformed model info. \n ${body.model_json} \n is not a valid JSON.`);
  }
  const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter(
    (k) => !(model && typeof model === 'object' && k in model),
  );
  if (missing.length) throw invalid('/model_json', `Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
  await changeRun(db, config, id, async (query) => {
    const [previous] = await query<{ value: string }>(
      sql`select value from mlflow_tags where run_uuid = ${id} and key = ${LOGGED_MODELS_TAG}`,
    );
    let history: unknown[] = [];
    try {
      const parsed = previous ? JSON.parse(previous.value) : [];
      history = Array.isArray(parsed) ? parsed : [];
    } catch {
      // A history tag someone overwrote with text: MLflow would fail here; the new entry starts it again.
    }
    const value = JSON.stringify([...history, model]);
    checkTags([{ key: LOGGED_MODELS_TAG, value }], 'model_json');
    await writeRunTags(query, id, [{ key: LOGGED_MODELS_TAG, value }]);
    return { result: undefined, cause: 'data' };
  });
}
