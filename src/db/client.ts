import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgDialect, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

/** The drizzle database, whichever driver is under it (PGlite or postgres.js). */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type Row = Record<string, unknown>;

/**
 * The statements of a write transaction: drizzle `sql` fragments, prepared once per connection and
 * pipelined when issued together (which drizzle's own transaction does not do).
 */
export interface Query {
  <T = Row>(query: SQL): Promise<T[]>;
  /**
   * Raw text with positional parameters ($1, …). For the generic upsert (db/upsert.ts) alone, whose texts
   * are built once per table and merge rule.
   */
  raw(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * A statement planned for its values and the table's size each time it runs, not prepared: for one on
   * a table whose size swings (the normalization queue, empty and then thousands of events behind), where
   * a prepared statement may keep a plan made while it was empty (normalizer claims took 0.3–7 s so,
   * against 1 ms: a nested loop over every queued event for each one claimed).
   */
  unprepared<T = Row>(query: SQL): Promise<T[]>;
  /**
   * Most rows one multi-row statement takes (db/upsert.ts), the Db's: PGlite keeps each prepared
   * statement's plan in its own memory, which a 256-row plan fills fast.
   */
  maxRows?: number;
}

export interface Db {
  orm: Database;
  driver: 'pglite' | 'postgres';
  /** Most rows one multi-row statement takes, when the driver wants fewer than the default (see Query). */
  maxRows?: number;
  /** A transaction for the write path (see Query). */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  /**
   * The same statements outside a transaction, each committed on its own: for a caller that issues one
   * statement, atomic by itself, it saves the round trips of BEGIN and COMMIT.
   */
  autocommit<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  /**
   * Runs a read statement prepared once per connection, so that Postgres plans it once (its generic plan):
   * for statements whose best plan does not depend on the values (lookups by key), where planning costs
   * more than running. Absent for PGlite (which prepares inside transactions only): `rows` is used instead.
   */
  prepared?<T>(query: SQL): Promise<T[]>;
  /**
   * Runs a read statement and answers each column's value as the text the server sent, in bytes, never
   * decoded: for answers spliced from stored JSON text (read/page.ts), which then never becomes a string
   * on its way out (a page of 100 jobs is 650 KB). Absent for PGlite, whose values are decoded in its own
   * memory anyway: `rows` is used instead.
   */
  texts?(query: SQL): Promise<RowTexts>;
  close(): Promise<void>;
}

/** A statement's rows as the server's text of each value (null for NULL), and its columns. */
export interface RowTexts {
  columns: { name: string /** The type's oid. */; type: number }[];
  rows: (Uint8Array | null)[][];
}

/**
 * Runs raw SQL and returns its rows. PGlite answers `{ rows }`, postgres.js an array: this is the one
 * place that knows.
 */
export async function rows<T = Record<string, unknown>>(db: Database | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A driver's raw statement runner as a Query: fragments are rendered to text and parameters here. */
export function queryOf(
  dialect: PgDialect,
  raw: (text: string, params?: unknown[]) => Promise<Row[]>,
  maxRows?: number,
  unprepared: (text: string, params?: unknown[]) => Promise<Row[]> = raw,
): Query {
  const query = ((q: SQL) => {
    const { sql: text, params: values } = dialect.sqlToQuery(q);
    return raw(text, values);
  }) as Query;
  query.raw = raw;
  query.unprepared = (<T>(q: SQL) => {
    const { sql: text, params: values } = dialect.sqlToQuery(q);
    return unprepared(text, values) as Promise<T[]>;
  }) as Query['unprepared'];
  if (maxRows !== undefined) query.maxRows = maxRows;
  return query;
}
