import { json, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

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

/**
 * Documents that the normalizer's batches made stale, built again behind them (ingest/stale-documents.ts):
 * a job's or a dataset's, and for a job, the runs whose Marquez Run changed (the only ones its document
 * builds again). Written in the batch's transaction, so a crash loses no refresh; taken in the refresh's.
 */
export const staleDocuments = pgTable(
  'stale_documents',
  {
    kind: text('kind', { enum: ['job', 'dataset'] }).notNull(),
    id: uuid('id').notNull(),
    runs: uuid('runs').array(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] })],
);
