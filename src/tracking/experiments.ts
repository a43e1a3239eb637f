import { type SQL, sql } from 'drizzle-orm';
import type { MlflowConfig } from '../config';
import { alreadyExists, invalid, notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { jsonInOrder, selectByKey } from '../db/sql';
import { checkExperimentId, checkKey, checkTags, checkText, LIMITS, missingValue } from './validate';

/** An experiment as MLflow's protocol carries it. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
  tags: { key: string; value: string }[];
}

export const nowMs = () => Date.now();

/** Where an experiment's artifacts go: what its creator asked for, else under the configured root. */
export const artifactLocationSql = (config: MlflowConfig, e = sql`e`) =>
  sql`coalesce(${e}.artifact_location, ${config.artifactRoot} || '/' || ${e}.experiment_id::text)`;

/** The experiment JSON of alias `e` (mlflow_experiments). */
export const experimentJson = (config: MlflowConfig, e = sql`e`): SQL => sql`json_build_object(
  'experiment_id', ${e}.experiment_id::text, 'name', ${e}.name, 'artifact_location', ${artifactLocationSql(config, e)},
  'lifecycle_stage', ${e}.lifecycle_stage, 'creation_time', ${e}.creation_time, 'last_update_time', ${e}.last_update_time,
  'tags', coalesce((select json_agg(json_build_object('key', t.key, 'value', t.value) order by t.key)
    from mlflow_experiment_tags t where t.experiment_id = ${e}.experiment_id), '[]'::json))`;

export const experimentNotFound = (id: number | string) => notFound(`No Experiment with id=${id} exists`);

function checkName(name: unknown): string {
  if (name === undefined || name === null || name === '') throw missingValue('name');
  if (typeof name !== 'string') throw invalid('/name', `Invalid experiment name: '${String(name)}'. Expects a string.`);
  if (name.length > LIMITS.experimentName)
    throw invalid('/name', `'name' exceeds the maximum length of ${LIMITS.experimentName} characters`);
  return name;
}

export async function getExperiment(db: Db, config: MlflowConfig, id: unknown): Promise<Experiment> {
  const experimentId = checkExperimentId(id);
  const [row] = await selectByKey<{ json: Experiment }>(
    db,
    sql`select ${experimentJson(config)} as json from mlflow_experiments e where e.experiment_id = ${experimentId}`,
  );
  if (!row) throw experimentNotFound(experimentId);
  return row.json;
}

/** MLflow answers a missing name RESOURCE_DOES_NOT_EXIST, and its `set_experiment` then creates it. */
export async function getExperimentByName(db: Db, config: MlflowConfig, name: unknown): Promise<Experiment> {
  if (name === undefined || name === null || name === '') throw missingValue('experiment_name');
  const [row] = await selectByKey<{ json: Experiment }>(
    db,
    sql`select ${experimentJson(config)} as json from mlflow_experiments e where e.name = ${String(name)}`,
  );
  if (!row) throw notFound(`Could not find experiment with name '${String(name)}'`);
  return row.json;
}

export interface NewExperiment {
  name?: unknown;
  artifact_location?: unknown;
  tags?: unknown;
}

export async function createExperiment(db: Db, input: NewExperiment): Promise<string> {
  const name = checkName(input.name);
  const location = checkText(input.artifact_location, 'artifact_location', 'artifact_location', 65_535) || null;
  if (location?.includes('#')) throw invalid('/artifact_location', "'artifact_location' URL can't include fragments or params.");
  const tags = checkExperimentTags(input.tags);
  return db.transaction(async (query) => {
    const now = nowMs();
    const [row] = await query<{
      id: string;
    }>(sql`insert into mlflow_experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
      values (${name}, ${location}, 'active', ${now}, ${now}) on conflict (name) do nothing returning experiment_id::text as id`);
    if (!row) throw alreadyExists(`Experiment(name=${name}) already exists. Error: Experiment '${name}' already exists.`);
    await writeTags(query, Number(row.id), tags);
    return row.id;
  });
}

function checkExperimentTags(list: unknown) {
  const tags = checkTags(list, 'tags', LIMITS.experimentTagValue);
  for (const [i, t] of tags.entries())
    if (t.key.length > LIMITS.experimentTagKey) throw invalid(`/tags/${i}/key`, `'key' exceeds the maximum length of 250 characters`);
  return tags;
}

async function writeTags(query: Query, id: number, tags: { key: string; value: string }[]) {
  if (tags.length === 0) return;
  const last = new Map(tags.map((t) => [t.key, t.value]));
  await query(sql`insert into mlflow_experiment_tags (experiment_id, key, value)
    select ${id}::bigint, t.key, t.value from jsonb_to_recordset(${JSON.stringify([...last].map(([key, value]) => ({ key, value })))}::jsonb) as t(key text, value text)
    on conflict (experiment_id, key) do update set value = excluded.value`);
}

/** Locks the experiment's row for the change and answers its stage; not found if there is none. */
export async function lockExperiment(query: Query, id: number): Promise<{ stage: string; name: string }> {
  const [row] = await query<{ stage: string; name: string }>(
    sql`select lifecycle_stage as stage, name from mlflow_experiments where experiment_id = ${id} for update`,
  );
  if (!row) throw experimentNotFound(id);
  return row;
}

const mustBeActive = (id: number, stage: string) => {
  if (stage !== 'active') throw invalid('/experiment_id', `The experiment ${id} must be in the 'active' state. Current state is ${stage}.`);
};

export async function renameExperiment(db: Db, id: unknown, newName: unknown) {
  const experimentId = checkExperimentId(id);
  const name = checkName(newName === '' ? undefined : newName);
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    mustBeActive(experimentId, e.stage);
    const taken = await query(sql`select 1 from mlflow_experiments where name = ${name} and experiment_id <> ${experimentId}`);
    if (taken.length) throw alreadyExists(`Experiment(name=${name}) already exists.`);
    await query(sql`update mlflow_experiments set name = ${name}, last_update_time = ${nowMs()} where experiment_id = ${experimentId}`);
  });
}

/**
 * Deleting an experiment deletes its runs, restoring it restores them, as MLflow's SQL store does. Their
 * lineage is left as it is: a run's lineage event per run of a large experiment would be a flood, for a
 * state MLflow's own searches already hide (a run deleted on its own does say so in its lineage).
 */
export async function setExperimentStage(db: Db, id: unknown, stage: 'active' | 'deleted') {
  const experimentId = checkExperimentId(id);
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    if (stage === 'deleted' && experimentId === 0)
      throw invalid('/experiment_id', "Cannot delete the default experiment '0'. This is an internally reserved experiment.");
    if (e.stage === stage)
      throw invalid(
        '/experiment_id',
        `Cannot ${stage === 'deleted' ? 'delete' : 'restore'} experiment ${experimentId}: it is ${stage} already.`,
      );
    const now = nowMs();
    await query(
      sql`update mlflow_experiments set lifecycle_stage = ${stage}, last_update_time = ${now} where experiment_id = ${experimentId}`,
    );
    await query(sql`update mlflow_runs set lifecycle_stage = ${stage}, deleted_time = ${stage === 'deleted' ? now : null}
      where experiment_id = ${experimentId} and lifecycle_stage <> ${stage}`);
  });
}

export async function setExperimentTag(db: Db, id: unknown, key: unknown, value: unknown) {
  const experimentId = checkExperimentId(id);
  const tags = checkExperimentTags([{ key, value }]);
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    mustBeActive(experimentId, e.stage);
    await writeTags(query, experimentId, tags);
  });
}

export async function deleteExperimentTag(db: Db, id: unknown, key: unknown) {
  const experimentId = checkExperimentId(id);
  const k = checkKey(key, 'key', 'key');
  await db.transaction(async (query) => {
    const e = await lockExperiment(query, experimentId);
    mustBeActive(experimentId, e.stage);
    const deleted = await query(sql`delete from mlflow_experiment_tags where experiment_id = ${experimentId} and key = ${k} returning key`);
    if (deleted.length === 0) throw notFound(`No tag with name: ${k} in experiment with id ${experimentId}`);
  });
}

/** Experiments by id, in the order given (a page of a search). */
export const experimentsByIds = (db: Db, config: MlflowConfig, ids: string[]) =>
  jsonInOrder<Experiment>(
    db,
    ids,
    (list) => sql`select e.experiment_id::text as id, ${experimentJson(config)} as json
    from mlflow_experiments e where e.experiment_id = any(${list}::bigint[])`,
  );
