import { customType, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A jsonb column written from JSON text that the ingest path has already serialized and made safe for
 * Postgres (no \u0000, no lone surrogates). Passing text keeps postgres.js and PGlite from serializing it
 * a second time (a JSON string bound to jsonb would otherwise be stored as a JSON *string*).
 */
export const jsonText = customType<{ data: string; driverData: string }>({
  dataType: () => 'jsonb',
  toDriver: (value) => value,
  fromDriver: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
});

/** Event-time columns keep microseconds; they travel as canonical ISO strings, never as JS Dates. */
export const eventTime = (name: string) => timestamp(name, { withTimezone: true, precision: 6, mode: 'string' });

/**
 * Every entity row carries the span of event times it was seen in. Both are merged with LEAST/GREATEST,
 * so the result does not depend on the order events arrive in.
 */
export const seenSpan = () => ({
  createdAt: eventTime('created_at').notNull(),
  updatedAt: eventTime('updated_at').notNull(),
});

/** Deterministic ids (see src/ids.ts): the key of every entity is a hash of its natural identity. */
export const id = () => uuid('id').primaryKey();
