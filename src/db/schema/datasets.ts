import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime, id, jsonText, seenSpan } from './columns';

export const datasets = pgTable(
  'datasets',
  {
    id: id(),
    namespaceId: uuid('namespace_id').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    ...seenSpan(),
    /** Event time of the latest write by a run (an output edge). */
    lastModifiedAt: eventTime('last_modified_at'),
  },
  // The listing's order: by name (its first 200 characters: a btree key has a size limit), then id.
  (t) => [
    index('datasets_namespace_idx').on(t.namespaceId, sql`left(${t.name}, 200)`, t.id),
    // Most recently updated first: search's newest-rows branch.
    index('datasets_updated_idx').on(t.updatedAt, t.id),
    // By name across namespaces: search's first-names branch.
    index('datasets_name_idx').on(sql`left(${t.name}, 200)`),
  ],
);

/**
 * One version per (dataset, producing run). `version` is the dataset-version facet's value when a
 * producer sent one, else the run id; an explicit value wins over the derived one, whatever the order.
 * `versionKey` = hash(dataset, version) finds it from an input that names the same version.
 */
export const datasetVersions = pgTable(
  'dataset_versions',
  {
    id: id(),
    datasetId: uuid('dataset_id').notNull(),
    runId: uuid('run_id'),
    version: text('version').notNull(),
    versionKey: uuid('version_key').notNull(),
    versionExplicit: boolean('version_explicit').notNull(),
    ...seenSpan(),
    latestTime: eventTime('latest_time'),
    latestEventId: uuid('latest_event_id'),
  },
  (t) => [
    // Newest first, id as tie-break (as runs_job_idx): a dataset's latest version is its index's first row.
    index('dataset_versions_dataset_idx').on(t.datasetId, t.createdAt, t.id),
    index('dataset_versions_key_idx').on(t.versionKey),
    index('dataset_versions_run_idx').on(t.runId),
  ],
);

/** Every field (nested ones with a dotted path) ever seen in a dataset's schema facet. */
export const datasetFields = pgTable(
  'dataset_fields',
  {
    id: id(),
    datasetId: uuid('dataset_id').notNull(),
    name: text('name').notNull(),
    parentName: text('parent_name'),
    ...seenSpan(),
  },
  (t) => [index('dataset_fields_dataset_idx').on(t.datasetId)],
);

/** From the symlinks facet: other names of the same dataset (e.g. a Hive table for a file path). */
export const datasetSymlinks = pgTable(
  'dataset_symlinks',
  {
    id: id(),
    datasetId: uuid('dataset_id').notNull(),
    targetId: uuid('target_id').notNull(),
    targetNamespace: text('target_namespace').notNull(),
    targetName: text('target_name').notNull(),
    type: text('type'),
    ...seenSpan(),
  },
  (t) => [index('dataset_symlinks_dataset_idx').on(t.datasetId), index('dataset_symlinks_target_idx').on(t.targetId)],
);

/**
 * Column lineage from the columnLineage facet: output field <- input field (outputField null for
 * dataset-wide dependencies). The latest transformations win, by event time.
 */
export const columnLineage = pgTable(
  'column_lineage',
  {
    id: id(),
    outputDatasetId: uuid('output_dataset_id').notNull(),
    outputField: text('output_field'),
    inputDatasetId: uuid('input_dataset_id').notNull(),
    inputField: text('input_field'),
    transformations: jsonText('transformations'),
    runId: uuid('run_id'),
    outputVersionId: uuid('output_version_id'),
    ...seenSpan(),
    latestTime: eventTime('latest_time'),
    latestEventId: uuid('latest_event_id'),
  },
  (t) => [index('column_lineage_output_idx').on(t.outputDatasetId), index('column_lineage_input_idx').on(t.inputDatasetId)],
);
