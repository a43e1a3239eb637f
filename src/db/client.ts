import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

/** The drizzle database, whichever driver is under it (PGlite or postgres.js). */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface Db {
  orm: Database;
  driver: 'pglite' | 'postgres';
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
