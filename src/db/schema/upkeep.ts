import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * PGlite's statistics counters as they stood at its last clean close (db/vacuum.ts): PGlite forgets them
 * on every close, where PostgreSQL writes them to disk, and its upkeep decides from them which tables
 * are due. Each row is added to its table's live counters; keeping a table up zeroes what that upkeep
 * resets. Empty on PostgreSQL, whose autovacuum keeps its own.
 */
export const upkeepCounters = pgTable('upkeep_counters', {
  /** Schema-qualified and quoted, as pg_stat_user_tables names it through quote_ident. */
  tableName: text('table_name').primaryKey(),
  deadRows: bigint('dead_rows', { mode: 'number' }).notNull().default(0),
  insertedSinceVacuum: bigint('inserted_since_vacuum', { mode: 'number' }).notNull().default(0),
  modifiedSinceAnalyze: bigint('modified_since_analyze', { mode: 'number' }).notNull().default(0),
});
