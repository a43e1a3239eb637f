import { type SQL, sql } from 'drizzle-orm';
import type { Query } from '../db/client';

export type MlflowStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface KeyValue {
  key: string;
  value: string;
}

/** A metric's latest value; NaN and the infinities come as the strings Postgres writes for them in JSON. */
export interface LatestMetric {
  key: string;
  value: number | string;
  step: number;
  timestamp: number;
}

export interface LoggedInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags: KeyValue[];
}

export interface ProducedModel {
  modelId: string;
  artifactLocation: string;
}

/** Everything the tracking store knows of one run, as its OpenLineage events describe it. */
export interface RunSnapshot {
  runUuid: string;
  name: string;
  userId: string;
  status: MlflowStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  artifactUri: string;
  job: { namespace: string; name: string };
  experiment: { id: string; name: string };
  /** Each sorted by key: the same state always makes the same event text (event ids hash it). */
  params: KeyValue[];
  tags: KeyValue[];
  metrics: LatestMetric[];
  /** In the order logged. */
  inputs: LoggedInput[];
  /** The logged models the run produced (their source run, or a model output it logged). */
  models: ProducedModel[];
  /** The MLflow parent run (tag `mlflow.parentRunId`) when the store knows it. */
  parent: { runUuid: string; job: { namespace: string; name: string } } | null;
  /** The time of the latest OpenLineage event stored for the run, in epoch milliseconds. */
  lastEventMs: number | null;
}

const pairs = (table: string) => sql`coalesce((select json_agg(json_build_object('key', x.key, 'value', x.value) order by x.key)
  from ${sql.identifier(table)} x where x.run_uuid = r.run_uuid), '[]'::json)`;

/**
 * Projections of one run, one at a time. Clients log concurrently (MLflow's asynchronous logging): two changes
 * committing together would each read the run without the other's change, and the later event would drop the
 * earlier change until the next one. Taken before the run is read, so that a projection that waited reads what
 * the one before it committed (each statement of a READ COMMITTED transaction sees what was committed before
 * it began). NO KEY UPDATE: it does not conflict with the key-share locks that writing a run's params, tags or
 * metrics takes on the run's row (their foreign keys), so two such writers do not deadlock on it.
 */
export async function lockRun(query: Query, runUuid: string): Promise<void> {
  await query(sql`select 1 from mlflow_runs where run_uuid = ${runUuid} for no key update`);
}

/** The run as it is now in this transaction: one statement; undefined when there is no such run. */
export async function readRunSnapshot(query: Query, runUuid: string): Promise<RunSnapshot | undefined> {
  const [row] = await query<{ json: RunSnapshot }>(sql`select json_build_object(
      'runUuid', r.run_uuid, 'name', r.name, 'userId', r.user_id, 'status', r.status,
      'startTime', r.start_time, 'endTime', r.end_time, 'lifecycleStage', r.lifecycle_stage, 'artifactUri', r.artifact_uri,
      'job', json_build_object('namespace', r.job_namespace, 'name', r.job_name),
      'experiment', json_build_object('id', e.experiment_id::text, 'name', e.name),
      'params', ${pairs('mlflow_params')},
      'tags', ${pairs('mlflow_tags')},
      'metrics', coalesce((select json_agg(json_build_object('key', m.key, 'value', m.value, 'step', m.step, 'timestamp', m.timestamp)
        order by m.key) from mlflow_latest_metrics m where m.run_uuid = r.run_uuid), '[]'::json),
      'inputs', coalesce((select json_agg(json_build_object('name', d.name, 'digest', d.digest, 'sourceType', d.source_type,
          'source', d.source, 'schema', d.schema, 'profile', d.profile, 'tags', i.tags) order by i.position, d.name, d.digest)
        from mlflow_run_inputs i join mlflow_datasets d on d.dataset_uuid = i.dataset_uuid where i.run_uuid = r.run_uuid), '[]'::json),
      'models', coalesce((select json_agg(json_build_object('modelId', lm.model_id, 'artifactLocation', lm.artifact_location)
          order by lm.model_id)
        from mlflow_logged_models lm
        where lm.source_run_id = r.run_uuid
          or lm.model_id in (select o.model_id from mlflow_run_models o where o.run_uuid = r.run_uuid and o.direction = 'out')), '[]'::json),
      'parent', (select json_build_object('runUuid', p.run_uuid, 'job', json_build_object('namespace', p.job_namespace, 'name', p.job_name))
        from mlflow_tags t join mlflow_runs p on p.run_uuid = t.value
        where t.run_uuid = r.run_uuid and t.key = 'mlflow.parentRunId' and p.run_uuid <> r.run_uuid),
      'lastEventMs', (select floor(extract(epoch from max(l.event_time)) * 1000) from lineage_events l
        where l.run_id = ${olRunIdSql(sql`r.run_uuid`)})
    ) as json
    from mlflow_runs r join mlflow_experiments e on e.experiment_id = r.experiment_id
    where r.run_uuid = ${runUuid}`);
  return row?.json;
}

/** An MLflow run id (32 hex digits) as its OpenLineage run id, in SQL; null for anything else. */
export const olRunIdSql = (runUuid: SQL) => sql`(case when ${runUuid} ~ '^[0-9a-fA-F]{32}$' then ${runUuid}::uuid end)`;

/** The latest stored event of the run (its text): what an event changing nothing would repeat. */
export async function lastEventText(query: Query, runUuid: string): Promise<string | undefined> {
  const [row] = await query<{ raw: string }>(
    sql`select raw from lineage_events where run_id = ${olRunIdSql(sql`${runUuid}::text`)} order by event_time desc, id desc limit 1`,
  );
  return row?.raw;
}

export async function eventStored(query: Query, id: string): Promise<boolean> {
  return (await query(sql`select 1 from lineage_events where id = ${id}::uuid`)).length > 0;
}
