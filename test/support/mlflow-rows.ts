import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { MlflowConfig } from '../../src/config';
import type { Db, Query } from '../../src/db/client';
import { select } from '../../src/db/sql';
import { type ProjectionCause, projectRun } from '../../src/tracking/projection';

/**
 * MLflow's tracking store written directly with SQL (what the tracking routes write), so that the projection
 * is tested apart from them: each helper changes the rows, then projects the run in the same transaction.
 */
export const CONFIG: MlflowConfig = { namespace: 'mlflow', artifactRoot: 's3://mlflow-artifacts' };

/** A fresh MLflow run id: 32 hex digits. */
export const hexId = () => randomUUID().replace(/-/g, '');

export async function createExperiment(db: Db, name: string): Promise<string> {
  const [row] = await select<{ id: string }>(
    db,
    sql`insert into mlflow_experiments (name, lifecycle_stage, creation_time, last_update_time)
      values (${name}, 'active', 0, 0) returning experiment_id::text as id`,
  );
  return row!.id;
}

export interface NewRun {
  runUuid: string;
  experimentId: string;
  experimentName: string;
  startTime: number;
  tags?: Record<string, string>;
  name?: string;
}

export async function createRun(db: Db, r: NewRun, config: MlflowConfig = CONFIG) {
  await db.transaction(async (query) => {
    await query(sql`insert into mlflow_runs (run_uuid, experiment_id, name, user_id, status, start_time, lifecycle_stage, artifact_uri,
        job_namespace, job_name)
      values (${r.runUuid}, ${r.experimentId}::bigint, ${r.name ?? `run-${r.runUuid.slice(0, 6)}`}, 'alice', 'RUNNING', ${r.startTime},
        'active', ${`${config.artifactRoot}/${r.experimentId}/${r.runUuid}/artifacts`}, ${config.namespace}, ${r.experimentName})`);
    await writeTags(query, r.runUuid, r.tags ?? {});
    await projectRun(query, config, r.runUuid, 'created', r.startTime);
  });
}

async function writeTags(query: Query, runUuid: string, tags: Record<string, string>) {
  for (const [key, value] of Object.entries(tags)) {
    await query(sql`insert into mlflow_tags (run_uuid, key, value) values (${runUuid}, ${key}, ${value})
      on conflict (run_uuid, key) do update set value = excluded.value`);
  }
}

/** Any change, then the projection of `cause` at `atMs`. */
export function change(
  db: Db,
  runUuid: string,
  cause: ProjectionCause,
  atMs: number,
  write: (query: Query) => Promise<unknown> = async () => {},
) {
  return db.transaction(async (query) => {
    await write(query);
    await projectRun(query, CONFIG, runUuid, cause, atMs);
  });
}

export const logParams = (db: Db, runUuid: string, params: Record<string, string>, atMs: number) =>
  change(db, runUuid, 'data', atMs, async (query) => {
    for (const [key, value] of Object.entries(params))
      await query(sql`insert into mlflow_params (run_uuid, key, value) values (${runUuid}, ${key}, ${value})`);
  });

export const setTags = (db: Db, runUuid: string, tags: Record<string, string>, atMs: number) =>
  change(db, runUuid, 'data', atMs, (query) => writeTags(query, runUuid, tags));

/** Latest values only (what the projection reads); step and timestamp as given. */
export const logMetric = (db: Db, runUuid: string, key: string, value: number, step: number, atMs: number) =>
  change(db, runUuid, 'metrics', atMs, async (query) => {
    await query(
      sql`insert into mlflow_metrics (run_uuid, key, value, timestamp, step) values (${runUuid}, ${key}, ${value}, ${atMs}, ${step})`,
    );
    await query(sql`insert into mlflow_latest_metrics (run_uuid, key, value, timestamp, step) values (${runUuid}, ${key}, ${value}, ${atMs}, ${step})
      on conflict (run_uuid, key) do update set value = excluded.value, timestamp = excluded.timestamp, step = excluded.step`);
  });

export interface LoggedDataset {
  name: string;
  digest: string;
  sourceType: string;
  source: unknown;
  schema?: unknown;
  profile?: unknown;
  context?: string;
}

export const logInputs = (db: Db, runUuid: string, experimentId: string, datasets: LoggedDataset[], atMs: number) =>
  change(db, runUuid, 'data', atMs, async (query) => {
    for (const [position, d] of datasets.entries()) {
      const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
      const [row] = await query<{ dataset_uuid: string }>(sql`insert into mlflow_datasets
          (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
        values (${randomUUID()}, ${experimentId}::bigint, ${d.name}, ${d.digest}, ${d.sourceType}, ${JSON.stringify(d.source)},
          ${json(d.schema)}, ${json(d.profile)})
        on conflict (experiment_id, name, digest) do update set name = excluded.name returning dataset_uuid`);
      const tags = d.context ? [{ key: 'mlflow.data.context', value: d.context }] : [];
      await query(sql`insert into mlflow_run_inputs (run_uuid, dataset_uuid, tags, position)
        values (${runUuid}, ${row!.dataset_uuid}, ${JSON.stringify(tags)}::jsonb, ${position})`);
    }
  });

export const setStatus = (db: Db, runUuid: string, status: string, endTime: number | null, atMs: number) =>
  change(db, runUuid, 'status', atMs, (query) =>
    query(sql`update mlflow_runs set status = ${status}, end_time = ${endTime} where run_uuid = ${runUuid}`),
  );

export const logModel = (db: Db, runUuid: string, experimentId: string, modelId: string, artifactLocation: string, atMs: number) =>
  change(db, runUuid, 'data', atMs, (query) =>
    query(sql`insert into mlflow_logged_models (model_id, experiment_id, name, artifact_location, creation_time, last_updated_time,
        status, lifecycle_stage, source_run_id)
      values (${modelId}, ${experimentId}::bigint, 'model', ${artifactLocation}, ${atMs}, ${atMs}, 'LOGGED_MODEL_READY', 'active', ${runUuid})`),
  );
