import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Db } from './client';
import * as schema from './schema';

/** The embedded database: a directory on disk, or in memory when `dataDir` is omitted (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const orm = drizzle(client, { schema }) as unknown as Database;
  return {
    orm,
    driver: 'pglite',
    transaction: (fn) => client.transaction((tx) => fn(async (text, params) => (await tx.query<Record<string, unknown>>(text, params)).rows)),
    close: () => client.close(),
  };
}
