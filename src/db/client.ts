import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

/** The drizzle database, whichever driver is under it (PGlite or postgres.js). */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Raw SQL with positional parameters ($1, …), answering rows. */
export type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface Db {
  orm: Database;
  driver: 'pglite' | 'postgres';
  /**
   * A transaction for the write path, with raw parameterized queries: statements are prepared once per
   * connection and pipelined when issued together, which drizzle's execute() does not do.
   */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  /**
   * Runs a read statement prepared once per connection, so that Postgres plans it once (its generic plan):
   * for statements whose best plan does not depend on the values (lookups by key), where planning costs
   * more than running. Absent where statements are not prepared (PGlite): `rows` is used instead.
   */
  prepared?<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Runs raw SQL and returns its rows. PGlite answers `{ rows }`, postgres.js an array: this is the one
 * place that knows.
 */
export async function rows<T = Record<string, unknown>>(db: Database | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
