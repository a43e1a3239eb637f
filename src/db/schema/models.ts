import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { eventTime } from './columns';

/**
 * The model registry: user state, like tags (replay never truncates it). Names and versions follow
 * MLflow's registry: a registered model owns auto-numbered versions, each with a stage and aliases.
 *
 * Whatever belongs to a model or to a version references it with ON DELETE CASCADE, so deleting a model
 * or a version is one statement and the database removes the rest: nothing is left behind whichever way
 * the row goes. And ON UPDATE CASCADE, so renaming a model is one statement too (registry-rename.ts adds
 * what no key references). Two tables are history and reference nothing: the audit log (below) and deployments.
 */
export const registeredModels = pgTable('registered_models', {
  name: text('name').primaryKey(),
  description: text('description'),
  owner: text('owner'),
  createdBy: text('created_by'),
  createdAt: eventTime('created_at').notNull(),
  updatedAt: eventTime('updated_at').notNull(),
});

export const registeredModelTags = pgTable(
  'registered_model_tags',
  {
    modelName: text('model_name').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.modelName, t.key] }),
    foreignKey({ name: 'registered_model_tags_model_fk', columns: [t.modelName], foreignColumns: [registeredModels.name] })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

/**
 * A model version. What reconciliation needs is kept parsed next to what the client sent: `runUuid` is the
 * OpenLineage run id the version names (its `run_id`, or the id in a `runs:/<id>/…` source) when it is a
 * UUID; `sourceDatasetIds` are the dataset its artifact URI names (`s3://bucket/path` -> namespace
 * `s3://bucket`, name `/path`, or `path` as some producers write it), so the run that wrote the artifact
 * is found through the lineage tables.
 */
export const modelVersions = pgTable(
  'model_versions',
  {
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    source: text('source'),
    runId: text('run_id'),
    runLink: text('run_link'),
    description: text('description'),
    status: text('status').notNull(),
    stage: text('stage', { enum: ['None', 'Staging', 'Production', 'Archived'] }).notNull(),
    userId: text('user_id'),
    runUuid: uuid('run_uuid'),
    sourceDatasetIds: uuid('source_dataset_ids').array().notNull(),
    /** `models:/<name>/<version>` as a source: the version this one was copied from. */
    sourceModelName: text('source_model_name'),
    sourceModelVersion: integer('source_model_version'),
    /** MLflow 3's logged model (`m-<id>`) the version registers: its `model_id`, or the id in a `models:/m-<id>` source. */
    modelId: text('model_id'),
    createdAt: eventTime('created_at').notNull(),
    updatedAt: eventTime('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.modelName, t.version] }),
    index('model_versions_run_uuid_idx').on(t.runUuid),
    index('model_versions_run_id_idx').on(t.runId),
    index('model_versions_source_dataset_idx').using('gin', t.sourceDatasetIds),
    index('model_versions_stage_idx').on(t.modelName, t.stage),
    // The versions copied from a version (`models:/` sources) inherit its links: found when it changes.
    index('model_versions_source_model_idx').on(t.sourceModelName, t.sourceModelVersion),
    foreignKey({ name: 'model_versions_model_fk', columns: [t.modelName], foreignColumns: [registeredModels.name] })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

/** A foreign key from a table of the version's (columns model_name, version) to its version, cascading. */
const ofVersion = (name: string, t: { modelName: AnyPgColumn; version: AnyPgColumn }) =>
  foreignKey({ name, columns: [t.modelName, t.version], foreignColumns: [modelVersions.modelName, modelVersions.version] })
    .onDelete('cascade')
    .onUpdate('cascade');

export const modelVersionTags = pgTable(
  'model_version_tags',
  {
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelName, t.version, t.key] }), ofVersion('model_version_tags_version_fk', t)],
);

export const modelAliases = pgTable(
  'model_aliases',
  {
    modelName: text('model_name').notNull(),
    alias: text('alias').notNull(),
    version: integer('version').notNull(),
    updatedAt: eventTime('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelName, t.alias] }), ofVersion('model_aliases_version_fk', t)],
);

/**
 * The links between a model version and the OpenLineage runs (and dataset versions) it came from, as the
 * evidence supports them (src/models/link-evidence.ts). Stored, so that readers ask for them in one
 * statement; refreshed in the transaction of whatever changes their evidence: ingest (the runs and
 * dataset versions an event writes), the registry (a version created or deleted, its dataset_version tag,
 * a decision on the version it was copied from) and replay. `status` is what the evidence says; a human's
 * decision (model_link_decisions, by the same id) overrides it when read. `hops` counts the `models:/`
 * sources followed to inherit the link (0: the version's own evidence).
 */
export const modelVersionLinks = pgTable(
  'model_version_links',
  {
    /** A hash of the version and what it links to (src/models/links.ts linkId): decisions stick to it. */
    linkId: uuid('link_id').primaryKey(),
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    kind: text('kind', { enum: ['run', 'dataset_version'] }).notNull(),
    method: text('method', { enum: ['run_id', 'registry_run_id', 'artifact', 'dataset_version_tag', 'model_source'] }).notNull(),
    confidence: doublePrecision('confidence').notNull(),
    status: text('status', { enum: ['candidate', 'confirmed'] }).notNull(),
    runId: uuid('run_id'),
    datasetNamespace: text('dataset_namespace'),
    datasetName: text('dataset_name'),
    datasetVersion: text('dataset_version'),
    datasetVersionId: uuid('dataset_version_id'),
    evidence: jsonb('evidence').notNull(),
    hops: smallint('hops').notNull(),
  },
  (t) => [
    index('model_version_links_version_idx').on(t.modelName, t.version),
    // Question 2 and the model nodes of graphs: the versions a run trained.
    index('model_version_links_run_idx').on(t.runId),
    ofVersion('model_version_links_version_fk', t),
  ],
);

/**
 * What ingest watches for a version's dataset_version tags (`orders_v2.1`): for each dataset that may be
 * the one named (`datasetId`, among its training runs' inputs), the version it resolved to, if any: the
 * first run that wrote it (`writtenAt`, `writtenId`), else the version string a run read (`readVersion`).
 * A run writing that dataset version earlier, or reading it when nothing wrote it, refreshes the
 * version's links; one more run writing it does not (however many versions name it). A version without a
 * training run may find its dataset anywhere: a row without `datasetId` watches any dataset whose name
 * ends with `segment`.
 */
export const modelVersionTagParts = pgTable(
  'model_version_tag_parts',
  {
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    /** The last segment of the dataset name the tag names (`orders`). */
    segment: text('segment').notNull(),
    wanted: text('wanted').notNull(),
    datasetId: uuid('dataset_id'),
    writtenAt: eventTime('written_at'),
    writtenId: uuid('written_id'),
    readVersion: text('read_version'),
  },
  (t) => [
    index('model_version_tag_parts_version_idx').on(t.modelName, t.version),
    index('model_version_tag_parts_dataset_idx').on(t.datasetId, t.wanted, t.writtenAt, t.writtenId, t.readVersion),
    index('model_version_tag_parts_segment_idx').on(t.segment, t.wanted).where(sql`${t.datasetId} is null`),
    ofVersion('model_version_tag_parts_version_fk', t),
  ],
);

/**
 * A human's decision on a link between a model version and an OpenLineage run or dataset version: it
 * confirms or rejects the link by its stable id, whatever the evidence says when the link is read, and
 * stays when the link disappears with its evidence (to apply again if it comes back).
 */
export const modelLinkDecisions = pgTable(
  'model_link_decisions',
  {
    linkId: uuid('link_id').primaryKey(),
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: ['confirmed', 'rejected'] }).notNull(),
    actor: text('actor').notNull(),
    comment: text('comment'),
    decidedAt: eventTime('decided_at').notNull(),
  },
  (t) => [index('model_link_decisions_version_idx').on(t.modelName, t.version), ofVersion('model_link_decisions_version_fk', t)],
);

export const modelApprovals = pgTable(
  'model_approvals',
  {
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    actor: text('actor').notNull(),
    comment: text('comment'),
    approvedAt: eventTime('approved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelName, t.version, t.actor] }), ofVersion('model_approvals_version_fk', t)],
);

export const modelCards = pgTable(
  'model_cards',
  {
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    markdown: text('markdown').notNull(),
    fields: jsonb('fields').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: eventTime('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelName, t.version] }), ofVersion('model_cards_version_fk', t)],
);

/**
 * Every deployment ever made; the current one of an endpoint in an environment is its latest row.
 * History, like the audit log: no foreign key to the version. Deleting a version from the registry does
 * not undeploy it (the endpoint serves what it served), and cascading would make an endpoint's previous
 * deployment its latest row, so the endpoint would seem to serve a version it no longer does.
 */
export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey(),
    endpoint: text('endpoint').notNull(),
    environment: text('environment').notNull(),
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    actor: text('actor').notNull(),
    deployedAt: eventTime('deployed_at').notNull(),
  },
  (t) => [
    index('deployments_endpoint_idx').on(t.endpoint, t.environment, t.deployedAt),
    index('deployments_version_idx').on(t.modelName, t.version),
  ],
);

/**
 * The audit log: every registration, stage change, alias move, approval, link decision, card and
 * deployment, with its actor and time. Append-only in the database itself: triggers (migration 0004)
 * refuse UPDATE, DELETE and TRUNCATE, whoever asks. It references nothing, so a deleted model's history
 * stays (a cascade would be refused by those triggers anyway, and with it the deletion).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: eventTime('at').notNull().default(sql`now()`),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    modelName: text('model_name'),
    version: integer('version'),
    detail: jsonb('detail').notNull(),
  },
  (t) => [index('audit_log_model_idx').on(t.modelName, t.version, t.seq)],
);
