import { bigint, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime, id, seenSpan } from './columns';

export const namespaces = pgTable('namespaces', {
  id: id(),
  name: text('name').notNull(),
  ...seenSpan(),
});

/** A data source, from the dataSource dataset facet (name + uri); the latest facet wins, by event time. */
export const sources = pgTable('sources', {
  id: id(),
  name: text('name').notNull(),
  connectionUrl: text('connection_url'),
  ...seenSpan(),
  latestTime: eventTime('latest_time'),
  latestEventId: uuid('latest_event_id'),
});

/**
 * How many jobs and datasets each namespace holds, for the listings' totalCount (counting 100k rows per
 * page costs tens of milliseconds). Kept by statement-level triggers on jobs and datasets (migration 0003),
 * so every path that inserts or deletes them, ingest, replay or SQL, keeps it exact.
 */
export const namespaceCounts = pgTable('namespace_counts', {
  namespaceId: uuid('namespace_id').primaryKey(),
  jobs: bigint('jobs', { mode: 'number' }).notNull().default(0),
  datasets: bigint('datasets', { mode: 'number' }).notNull().default(0),
});
