import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime, id, seenSpan } from './columns';

export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    namespaceId: uuid('namespace_id').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    /** From the parent run facet (Airflow DAG -> task, Spark application -> query). */
    parentJobId: uuid('parent_job_id'),
    ...seenSpan(),
    latestTime: eventTime('latest_time'),
    latestEventId: uuid('latest_event_id'),
    /** The version of the job's latest run (by event time), maintained by the job-version step. */
    currentVersionId: uuid('current_version_id'),
    currentVersionTime: eventTime('current_version_time'),
  },
  (t) => [
    // The listings' order (most recently updated first, then id), per namespace and across namespaces.
    index('jobs_namespace_idx').on(t.namespaceId, t.updatedAt, t.id),
    index('jobs_updated_idx').on(t.updatedAt, t.id),
    index('jobs_parent_idx').on(t.parentJobId),
    // By name across namespaces (its first 200 characters: a btree key has a size limit): search's
    // first-names branch.
    index('jobs_name_idx').on(sql`left(${t.name}, 200)`),
  ],
);

/**
 * A job version is the hash of what defines the job: its code (source-code location, SQL, source code
 * facets) and the set of datasets it reads and writes. A run's version covers the union of the IO of all
 * of the run's events, so it does not depend on which event arrived first.
 */
export const jobVersions = pgTable(
  'job_versions',
  {
    id: id(),
    jobId: uuid('job_id').notNull(),
    version: uuid('version').notNull(),
    /**
     * Declared by a JobEvent (a job's static definition). Other versions exist only while a run has them:
     * their times are those of their runs, and they go when no run has them any more.
     */
    declared: boolean('declared').notNull(),
    ...seenSpan(),
  },
  (t) => [index('job_versions_job_idx').on(t.jobId, t.createdAt)],
);

export const jobVersionIo = pgTable(
  'job_version_io',
  {
    jobVersionId: uuid('job_version_id').notNull(),
    datasetId: uuid('dataset_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobVersionId, t.direction, t.datasetId] }), index('job_version_io_dataset_idx').on(t.datasetId)],
);

/**
 * The lineage graph's adjacency: job reads/writes dataset, with the span of time the edge was seen in
 * (for `asOf` queries) and the last run that used it. Static JobEvent IO lands here too.
 */
export const jobIo = pgTable(
  'job_io',
  {
    id: id(),
    jobId: uuid('job_id').notNull(),
    datasetId: uuid('dataset_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    ...seenSpan(),
    lastRunId: uuid('last_run_id'),
    latestTime: eventTime('latest_time'),
    latestEventId: uuid('latest_event_id'),
    /**
     * In the job's current version (or the job has none yet): the edges the lineage graph shows. Kept by
     * the ingest step that moves current versions (refreshCurrentEdges), so a walk reads this table alone.
     */
    current: boolean('current').notNull().default(true),
  },
  (t) => [
    index('job_io_job_idx').on(t.jobId),
    index('job_io_dataset_idx').on(t.datasetId),
    // The walk's two steps, index-only: from a dataset to the jobs on one side, from a job to its datasets.
    index('job_io_current_dataset_idx').on(t.datasetId, t.direction, t.jobId).where(sql`current`),
    index('job_io_current_job_idx').on(t.jobId, t.direction, t.datasetId).where(sql`current`),
  ],
);
