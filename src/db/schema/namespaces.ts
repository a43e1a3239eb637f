import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
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
