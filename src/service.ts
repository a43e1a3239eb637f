import { mkdir } from 'node:fs/promises';
import { createApp } from './app';
import type { Config } from './config';
import type { Db } from './db/client';
import { migrate } from './db/migrate';
import { readMigrations } from './db/migrations-fs';
import { openPglite } from './db/pglite';
import { openPostgres } from './db/postgres';
import { EventWriter } from './ingest/writer';

/** Opens the configured database (PGlite in dataDir, or Postgres at DATABASE_URL). Node only. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'>): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { max: config.databasePoolSize });
  await mkdir(config.dataDir, { recursive: true });
  return openPglite(config.dataDir);
}

/** Database migrated, writer started, app built: everything a Node process serves. */
export async function startService(config: Config) {
  const db = await openDatabase(config);
  await migrate(db, await readMigrations());
  const writer = new EventWriter(db);
  const app = createApp({ db, writer, config });
  return { app, db, writer };
}
