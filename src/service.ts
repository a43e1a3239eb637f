import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApp } from './app';
import type { Config } from './config';
import type { Db } from './db/client';
import { migrate } from './db/migrate';
import { readMigrations } from './db/migrations-fs';
import { openPglite } from './db/pglite';
import { openPostgres } from './db/postgres';
import { ingestPipeline } from './ingest/pipeline';
import { Metrics } from './metrics';
import { buildMissingDocuments } from './read/documents';
import { ensureEventPartitions } from './retention/partitions';
import { RetentionSchedule } from './retention/schedule';
import { nodeUi } from './ui-node';

/** Opens the configured database (PGlite in dataDir, or Postgres at DATABASE_URL). Node only. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'>): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { max: config.databasePoolSize });
  await mkdir(config.dataDir, { recursive: true });
  if (!existsSync(join(config.dataDir, 'PG_VERSION'))) {
    // initdb's memory peak stays in a process that ends, not in the server. The script is at ./db/ both from
    // here and from the bundles of this module (dist/node.js, dist/cli.js): scripts/build.ts puts it in dist/db/.
    await promisify(execFile)(process.execPath, [fileURLToPath(new URL('./db/pglite-initdb.mjs', import.meta.url)), config.dataDir]);
  }
  return openPglite(config.dataDir);
}

/**
 * Database migrated, normalizer started (it first takes up what was queued before a restart), app built:
 * everything a Node process serves. `stop` ends normalization (the batch in flight commits or rolls back;
 * what is queued stays queued) and closes the database.
 */
export async function startService(config: Config) {
  // One registry for the process, its process metrics included (Node only).
  const metrics = new Metrics({ maxProducers: config.metrics.maxProducers }).withProcessMetrics();
  const opened = await openDatabase(config);
  await migrate(opened, await readMigrations());
  await buildMissingDocuments(opened);
  await ensureEventPartitions(opened);
  const db = metrics.watchPool(opened, config.databaseUrl ? config.databasePoolSize : 1);
  const { writer, normalizer } = ingestPipeline(db, config, { metrics });
  normalizer.start();
  // Daily: the coming months' event partitions, and retention when PEDIGREE_RETENTION_DAYS is set.
  const retention = new RetentionSchedule(db, { days: config.retentionDays });
  retention.start();
  const app = createApp({ db, writer, normalizer, config, metrics, ui: nodeUi() });
  const stop = async () => {
    await retention.stop();
    await normalizer.stop();
    await db.close();
  };
  return { app, db, writer, normalizer, metrics, stop };
}
