import { json, pgTable, uuid } from 'drizzle-orm/pg-core';

/**
 * Read models: each job's and each dataset's API documents, built by the read API's own JSON builders
 * (src/read/json.ts) when ingest (or a tag change) touches what they show, in the same transaction, so
 * that a listing or a lineage graph reads one row per entity instead of building it from a dozen tables.
 * `json`, not jsonb: the text is kept as built, field order included.
 */
export const jobDocuments = pgTable('job_documents', {
  jobId: uuid('job_id').primaryKey(),
  /** Marquez's Job (listings, `GET /jobs/{name}`). */
  document: json('document').notNull(),
  /** The lighter JobData of a lineage node, without the inputs and outputs the graph fills in. */
  node: json('node').notNull(),
});

export const datasetDocuments = pgTable('dataset_documents', {
  datasetId: uuid('dataset_id').primaryKey(),
  /** Marquez's Dataset. */
  document: json('document').notNull(),
  /** The DatasetData of a lineage node. */
  node: json('node').notNull(),
});
