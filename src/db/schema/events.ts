import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { eventTime } from './columns';

/**
 * Every accepted event, verbatim. `raw` is the exact JSON text received (text, not jsonb: jsonb would
 * reorder keys, drop duplicates and refuse \u0000), so any event can be replayed byte for byte.
 * `id` is derived from the content hash: posting the same event twice stores it once.
 *
 * On disk the table is partitioned by month of `event_time` (migration 0015, src/retention/partitions.ts),
 * so that retention drops a whole old month instead of deleting its rows one by one. A partitioned table's
 * key must include the partition key, hence (id, event_time): the id hashes the text and the event time is
 * parsed from that text, so one id always comes with one event time and the key dedups exactly as `id`
 * alone did. Drizzle knows nothing of partitions: the migration declares them.
 */
export const lineageEvents = pgTable(
  'lineage_events',
  {
    id: uuid('id').notNull(),
    kind: text('kind', { enum: ['run', 'dataset', 'job'] }).notNull(),
    eventType: text('event_type'),
    eventTime: eventTime('event_time').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 6, mode: 'string' }).notNull().defaultNow(),
    runId: uuid('run_id'),
    jobId: uuid('job_id'),
    datasetId: uuid('dataset_id'),
    producer: text('producer'),
    schemaUrl: text('schema_url'),
    warnings: jsonb('warnings').$type<{ pointer: string; message: string }[]>(),
    raw: text('raw').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.eventTime] }),
    // Holds run_id too (INCLUDE, migration 0021: drizzle cannot say it), so that the RunEvents of a time
    // window are counted from the index alone (read/events.ts).
    index('lineage_events_event_time_idx').on(t.eventTime),
    index('lineage_events_run_idx').on(t.runId, t.eventTime),
    index('lineage_events_job_idx').on(t.jobId, t.eventTime),
    index('lineage_events_dataset_idx').on(t.datasetId, t.eventTime),
    // The conformance report (read/producers.ts): the producers listed, and each one's counts, from the
    // indexes alone; its warnings grouped from the events that have some, never from all of them.
    index('lineage_events_producer_idx').on(t.producer, t.eventTime),
    index('lineage_events_producer_warned_idx').on(t.producer, t.eventTime).where(sql`${t.warnings} is not null`),
  ],
);

/**
 * Every event refused with a 400 because it was read and found invalid (not understood, or a deviation
 * strict mode refuses), for the producers' conformance report: why (`errors`, JSON pointers into the
 * event) and what was received (`raw`: its first 64 KiB, with NUL characters replaced, see
 * ingest/rejections.ts). What the event says of itself is read when it can be: `producer` (see
 * ingest/producer.ts), `event_type`, `run_id`. Nothing is derived from these rows and replay ignores them.
 */
export const rejectedEvents = pgTable(
  'rejected_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 6, mode: 'string' }).notNull().defaultNow(),
    producer: text('producer'),
    eventType: text('event_type'),
    runId: uuid('run_id'),
    errors: jsonb('errors').$type<{ pointer: string; message: string }[]>().notNull(),
    raw: text('raw').notNull(),
  },
  (t) => [index('rejected_events_producer_idx').on(t.producer, t.receivedAt)],
);

/**
 * The queue of accepted events not yet normalized (see ingest/normalizer.ts): a row is inserted in the
 * transaction that stores the verbatim event, and deleted in the transaction that normalizes it (or sets it
 * aside in `normalization_failures`). `seq` is the order of arrival the normalizers claim in; `size` is the
 * event's length, so that a claim can bound the text it loads; `accepted_at` dates the backlog (the lag).
 * Kept apart from lineage_events so that the rows claimed and deleted are small, and the queue's index holds
 * only what is pending, whatever the number of events stored.
 */
export const pendingEvents = pgTable(
  'pending_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity({ startWith: 1 }),
    eventId: uuid('event_id').notNull(),
    size: integer('size').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, precision: 6, mode: 'string' }).notNull().defaultNow(),
  },
  // An event is queued once, however often it is re-queued (replay).
  (t) => [uniqueIndex('pending_events_event_idx').on(t.eventId)],
);

/**
 * Accepted events whose normalization failed on their own (the batch they were in was bisected down to
 * them): kept verbatim in lineage_events, left out of the normalized tables, listed by the API
 * (GET /api/v1/events/failed) with the error, and retried by `pedigree replay`. `attempts` counts the
 * failures (a retry that fails again adds one).
 */
export const normalizationFailures = pgTable('normalization_failures', {
  eventId: uuid('event_id').primaryKey(),
  error: text('error').notNull(),
  failedAt: timestamp('failed_at', { withTimezone: true, precision: 6, mode: 'string' }).notNull().defaultNow(),
  attempts: integer('attempts').notNull().default(1),
});
