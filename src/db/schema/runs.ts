import { boolean, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime, id, seenSpan } from './columns';

/**
 * A run (the OpenLineage runId). Its state is the one of the winning event: terminal events
 * (COMPLETE/FAIL/ABORT) beat non-terminal ones whatever their times, then the later event wins; OTHER
 * events never change the state. The full history is the run's rows in lineage_events.
 */
export const runs = pgTable(
  'runs',
  {
    id: id(),
    jobId: uuid('job_id').notNull(),
    namespace: text('namespace').notNull(),
    jobName: text('job_name').notNull(),
    parentRunId: uuid('parent_run_id'),
    state: text('state', { enum: ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL'] }),
    stateTerminal: boolean('state_terminal'),
    stateTime: eventTime('state_time'),
    stateEventId: uuid('state_event_id'),
    startedAt: eventTime('started_at'),
    endedAt: eventTime('ended_at'),
    ...seenSpan(),
    parentTime: eventTime('parent_time'),
    parentEventId: uuid('parent_event_id'),
    /** Hash of the code facets of the run's latest event that carried any (see codeHash). */
    codeHash: text('code_hash'),
    codeTime: eventTime('code_time'),
    codeEventId: uuid('code_event_id'),
    jobVersionId: uuid('job_version_id'),
  },
  (t) => [
    // A job's (a job version's) latest runs are read newest first with the id as tie-break: with the id in
    // the index they are its first rows, however long the history and whatever the statistics say.
    index('runs_job_idx').on(t.jobId, t.createdAt, t.id),
    index('runs_parent_idx').on(t.parentRunId),
    index('runs_job_version_idx').on(t.jobVersionId, t.createdAt, t.id),
    index('runs_updated_idx').on(t.updatedAt),
  ],
);

/**
 * A run's inputs and outputs: the exact dataset versions read and written. An input names a version only
 * when the producer sent a dataset-version facet (`versionKey` joins dataset_versions); otherwise the
 * version read is the one current at the run's start, resolved when read.
 */
export const runIo = pgTable(
  'run_io',
  {
    id: id(),
    runId: uuid('run_id').notNull(),
    datasetId: uuid('dataset_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    version: text('version'),
    versionKey: uuid('version_key'),
    /** For outputs: the dataset version this run produced. */
    datasetVersionId: uuid('dataset_version_id'),
    ...seenSpan(),
    versionExplicit: boolean('version_explicit'),
    latestTime: eventTime('latest_time'),
    latestEventId: uuid('latest_event_id'),
  },
  (t) => [
    // Covers what a Run's dataset-version lists read (index-only: a run's IO rows are scattered in the heap).
    index('run_io_run_idx').on(t.runId, t.direction, t.datasetId, t.id, t.versionKey, t.datasetVersionId),
    index('run_io_dataset_idx').on(t.datasetId, t.createdAt),
  ],
);
