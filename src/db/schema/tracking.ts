import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * MLflow's tracking store: experiments, runs with their params, tags, metrics and inputs, and MLflow 3's
 * logged models. User state, like the registry (replay never truncates it). Times are what MLflow's
 * protocol carries, epoch milliseconds, so that answers and orders are MLflow's to the millisecond.
 *
 * Every run is also an OpenLineage run (src/tracking/projection.ts): each change that matters to lineage
 * stores an event through the ingest path in the same transaction, so the graph, the four questions and
 * the UI know MLflow runs with no other integration, and replay rebuilds them from those events.
 */
const ms = (name: string) => bigint(name, { mode: 'number' });

/** Tag and parameter values may be long (8,000 characters): indexes keep their first 200 (btree keys are limited). */
const VALUE_PREFIX = 200;

export const mlflowExperiments = pgTable(
  'mlflow_experiments',
  {
    experimentId: bigint('experiment_id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity({ startWith: 1 }),
    name: text('name').notNull(),
    /** What the client asked for; null: `<PEDIGREE_MLFLOW_ARTIFACT_ROOT>/<experiment_id>` when read. */
    artifactLocation: text('artifact_location'),
    lifecycleStage: text('lifecycle_stage', { enum: ['active', 'deleted'] }).notNull(),
    creationTime: ms('creation_time').notNull(),
    lastUpdateTime: ms('last_update_time').notNull(),
  },
  (t) => [uniqueIndex('mlflow_experiments_name_idx').on(t.name)],
);

export const mlflowExperimentTags = pgTable(
  'mlflow_experiment_tags',
  {
    experimentId: bigint('experiment_id', { mode: 'number' }).notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.key] }),
    foreignKey({ name: 'mlflow_experiment_tags_fk', columns: [t.experimentId], foreignColumns: [mlflowExperiments.experimentId] }).onDelete(
      'cascade',
    ),
  ],
);

/**
 * A run. `runUuid` is MLflow's run id (32 hex digits); the same digits, as a UUID, are its OpenLineage run
 * id. `jobNamespace`/`jobName` are the OpenLineage job it was projected to when created (renaming the
 * experiment later does not move its runs).
 */
export const mlflowRuns = pgTable(
  'mlflow_runs',
  {
    runUuid: text('run_uuid').primaryKey(),
    experimentId: bigint('experiment_id', { mode: 'number' }).notNull(),
    name: text('name').notNull(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] }).notNull(),
    startTime: ms('start_time').notNull(),
    endTime: ms('end_time'),
    deletedTime: ms('deleted_time'),
    lifecycleStage: text('lifecycle_stage', { enum: ['active', 'deleted'] }).notNull(),
    artifactUri: text('artifact_uri').notNull(),
    jobNamespace: text('job_namespace').notNull(),
    jobName: text('job_name').notNull(),
  },
  (t) => [
    index('mlflow_runs_experiment_idx').on(t.experimentId, t.startTime, t.runUuid),
    foreignKey({ name: 'mlflow_runs_experiment_fk', columns: [t.experimentId], foreignColumns: [mlflowExperiments.experimentId] }),
  ],
);

const ofRun = (name: string, t: { runUuid: AnyPgColumn }) =>
  foreignKey({ name, columns: [t.runUuid], foreignColumns: [mlflowRuns.runUuid] }).onDelete('cascade');

export const mlflowParams = pgTable(
  'mlflow_params',
  {
    runUuid: text('run_uuid').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runUuid, t.key] }),
    index('mlflow_params_key_value_idx').on(t.key, sql`left(${t.value}, ${sql.raw(String(VALUE_PREFIX))})`),
    ofRun('mlflow_params_run_fk', t),
  ],
);

export const mlflowTags = pgTable(
  'mlflow_tags',
  {
    runUuid: text('run_uuid').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runUuid, t.key] }),
    // search_runs by tag (`tags.dataset_version = 'orders_v2.1'`): one probe, whatever the number of runs.
    index('mlflow_tags_key_value_idx').on(t.key, sql`left(${t.value}, ${sql.raw(String(VALUE_PREFIX))})`),
    ofRun('mlflow_tags_run_fk', t),
  ],
);

/**
 * Every metric value logged (metrics/get-history). NaN and the infinities are kept as Postgres doubles
 * hold them. `modelId`: the logged model the value was logged for (MLflow 3), with the dataset it was
 * computed on.
 */
export const mlflowMetrics = pgTable(
  'mlflow_metrics',
  {
    runUuid: text('run_uuid').notNull(),
    key: text('key').notNull(),
    value: doublePrecision('value').notNull(),
    timestamp: ms('timestamp').notNull(),
    step: bigint('step', { mode: 'number' }).notNull(),
    modelId: text('model_id'),
    datasetName: text('dataset_name'),
    datasetDigest: text('dataset_digest'),
  },
  (t) => [
    index('mlflow_metrics_run_key_idx').on(t.runUuid, t.key, t.timestamp, t.step),
    // A logged model's metrics (its answer, and logged-models/search over `metrics.`).
    index('mlflow_metrics_model_idx').on(t.modelId, t.key).where(sql`${t.modelId} is not null`),
    ofRun('mlflow_metrics_run_fk', t),
  ],
);

/** Each run's latest value per metric (largest step, then time, then value: MLflow's rule), for runs/get and search. */
export const mlflowLatestMetrics = pgTable(
  'mlflow_latest_metrics',
  {
    runUuid: text('run_uuid').notNull(),
    key: text('key').notNull(),
    value: doublePrecision('value').notNull(),
    timestamp: ms('timestamp').notNull(),
    step: bigint('step', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runUuid, t.key] }),
    index('mlflow_latest_metrics_key_value_idx').on(t.key, t.value),
    ofRun('mlflow_latest_metrics_run_fk', t),
  ],
);

/** A dataset as MLflow logs it (runs/log-inputs), once per experiment, name and digest. */
export const mlflowDatasets = pgTable(
  'mlflow_datasets',
  {
    datasetUuid: uuid('dataset_uuid').primaryKey(),
    experimentId: bigint('experiment_id', { mode: 'number' }).notNull(),
    name: text('name').notNull(),
    digest: text('digest').notNull(),
    sourceType: text('source_type').notNull(),
    source: text('source').notNull(),
    schema: text('schema'),
    profile: text('profile'),
  },
  (t) => [uniqueIndex('mlflow_datasets_identity_idx').on(t.experimentId, t.name, t.digest)],
);

/** A run's dataset inputs, with their tags (`mlflow.data.context`: training, eval…). */
export const mlflowRunInputs = pgTable(
  'mlflow_run_inputs',
  {
    runUuid: text('run_uuid').notNull(),
    datasetUuid: uuid('dataset_uuid').notNull(),
    tags: jsonb('tags').$type<{ key: string; value: string }[]>().notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runUuid, t.datasetUuid] }),
    ofRun('mlflow_run_inputs_run_fk', t),
    foreignKey({ name: 'mlflow_run_inputs_dataset_fk', columns: [t.datasetUuid], foreignColumns: [mlflowDatasets.datasetUuid] }),
  ],
);

/** MLflow 3's logged models a run used (`inputs.model_inputs`) or produced (`outputs.model_outputs`, with the step). */
export const mlflowRunModels = pgTable(
  'mlflow_run_models',
  {
    runUuid: text('run_uuid').notNull(),
    modelId: text('model_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    step: bigint('step', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runUuid, t.direction, t.modelId] }), ofRun('mlflow_run_models_run_fk', t)],
);

/** MLflow 3's logged model (`m-<32 hex digits>`): what `log_model` creates, and what a version registers. */
export const mlflowLoggedModels = pgTable(
  'mlflow_logged_models',
  {
    modelId: text('model_id').primaryKey(),
    experimentId: bigint('experiment_id', { mode: 'number' }).notNull(),
    name: text('name').notNull(),
    artifactLocation: text('artifact_location').notNull(),
    creationTime: ms('creation_time').notNull(),
    lastUpdatedTime: ms('last_updated_time').notNull(),
    status: text('status').notNull(),
    statusMessage: text('status_message'),
    lifecycleStage: text('lifecycle_stage', { enum: ['active', 'deleted'] }).notNull(),
    modelType: text('model_type'),
    sourceRunId: text('source_run_id'),
  },
  (t) => [
    index('mlflow_logged_models_experiment_idx').on(t.experimentId, t.creationTime),
    index('mlflow_logged_models_run_idx').on(t.sourceRunId),
    foreignKey({ name: 'mlflow_logged_models_experiment_fk', columns: [t.experimentId], foreignColumns: [mlflowExperiments.experimentId] }),
  ],
);

const ofLoggedModel = (name: string, t: { modelId: AnyPgColumn }) =>
  foreignKey({ name, columns: [t.modelId], foreignColumns: [mlflowLoggedModels.modelId] }).onDelete('cascade');

export const mlflowLoggedModelParams = pgTable(
  'mlflow_logged_model_params',
  {
    modelId: text('model_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.key] }), ofLoggedModel('mlflow_logged_model_params_fk', t)],
);

export const mlflowLoggedModelTags = pgTable(
  'mlflow_logged_model_tags',
  {
    modelId: text('model_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.key] }), ofLoggedModel('mlflow_logged_model_tags_fk', t)],
);
