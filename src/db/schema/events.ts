import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { eventTime } from './columns';

/**
 * Every accepted event, verbatim. `raw` is the exact JSON text received (text, not jsonb: jsonb would
 * reorder keys, drop duplicates and refuse \u0000), so any event can be replayed byte for byte.
 * `id` is derived from the content hash: posting the same event twice stores it once.
 */
export const lineageEvents = pgTable(
  'lineage_events',
  {
    id: uuid('id').primaryKey(),
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
    index('lineage_events_event_time_idx').on(t.eventTime),
    index('lineage_events_run_idx').on(t.runId, t.eventTime),
    index('lineage_events_job_idx').on(t.jobId, t.eventTime),
    index('lineage_events_dataset_idx').on(t.datasetId, t.eventTime),
  ],
);
