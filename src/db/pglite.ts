import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pglite';
import { type Database, type Db, queryOf, type Row } from './client';
import { sqlState } from './errors';
import { PreparedStatements } from './pglite-prepared';
import * as schema from './schema';
import { carryCounters } from './vacuum';

/**
 * PGlite's WASM heap holds Postgres' shared buffers: the server default (128 MB) would make the embedded
 * database the largest part of the process. The OS page cache still caches the files. The WAL is kept to
 * about a quarter of the default's (1 GB) on disk: the normalizer checkpoints as it passes (db/vacuum.ts).
 * PGlite runs with fsync off: a torn page after the machine's crash, which full-page writes repair, is
 * then the least of what such a crash may lose, and with them each page written after a checkpoint is logged
 * whole again.
 */
const SETTINGS = { postgresqlconf: ['shared_buffers=16MB', 'max_wal_size=256MB', 'min_wal_size=32MB', 'full_page_writes=off'] };

/**
 * Most rows of one multi-row upsert (db/upsert.ts): each statement stays prepared (pglite-prepared.ts) with
 * its plan in PGlite's memory, 1.6 MB for a 256-row upsert and a quarter of that for 64 rows, for about
 * the same work per row.
 */
const MAX_ROWS = 64;

/** pg_trgm backs the search indexes (migration 0003): a database that has them needs it on every open. */
const EXTENSIONS = { pg_trgm };

/** The embedded database: a directory on disk, or in memory when `dataDir` is omitted (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  const client = new PGlite({ ...(dataDir !== undefined && { dataDir }), ...SETTINGS, extensions: EXTENSIONS });
  await client.waitReady;
  const orm = drizzle(client, { schema }) as unknown as Database;
  const dialect = new PgDialect();
  const prepared = new PreparedStatements(client);
  const db: Db = {
    orm,
    driver: 'pglite',
    maxRows: MAX_ROWS,
    transaction: (fn) =>
      client.transaction((tx) =>
        fn(
          queryOf(
            dialect,
            (text, params) => prepared.query(tx, text, params),
            MAX_ROWS,
            async (text, params) => (await tx.query<Row>(text, params)).rows,
          ),
        ),
      ),
    autocommit: (fn) => fn(queryOf(dialect, async (text, params) => (await client.query<Row>(text, params)).rows, MAX_ROWS)),
    close: async () => {
      try {
        // On disk, the upkeep's counters outlive the process (db/vacuum.ts); a database not yet migrated has none.
        if (dataDir !== undefined) await carryCounters(db);
      } catch (error) {
        if (sqlState(error) !== UNDEFINED_TABLE) throw error;
      } finally {
        await client.close();
      }
    },
  };
  return db;
}

const UNDEFINED_TABLE = '42P01';
