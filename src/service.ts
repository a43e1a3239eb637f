import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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
import type { NormalizerControl } from './ingest/normalizer';
import { NormalizerThread } from './ingest/normalizer-thread';
import { acceptingInto, type Ingest, ingestPipeline } from './ingest/pipeline';
import { backlog } from './ingest/queue';
import { type Logger, silentLogger } from './log';
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
 * Acceptance and normalization: the normalizer on a thread of its own (PostgreSQL, unless
 * PEDIGREE_NORMALIZE_THREAD says otherwise, when the machine has a CPU to give it), or on this one.
 */
function pipeline(db: Db, config: Config, metrics: Metrics, logger: Logger): Ingest<NormalizerControl> {
  const { databaseUrl, normalize } = config;
  // With PEDIGREE_NORMALIZE=off another instance normalizes: no thread; this one answers waiters from the queue.
  const thread = normalize.enabled && (normalize.thread ?? (databaseUrl !== undefined && availableParallelism() > 1));
  if (!thread || !databaseUrl) return ingestPipeline(db, config, { metrics, logger });
  const normalizer = new NormalizerThread({
    databaseUrl,
    // Its batches and, beside them, the documents' refresh and the waiters' look-ups.
    poolSize: normalize.concurrency + 2,
    normalizer: { maxBatchEvents: normalize.batchEvents, concurrency: normalize.concurrency, lingerMs: normalize.lingerMs },
    nice: normalize.nice,
    progress: metrics.normalization,
    logger,
  });
  return { writer: acceptingInto(db, normalizer, config, metrics), normalizer };
}

/**
 * Database migrated, normalizer started (it first takes up what was queued before a restart), app built:
 * everything a Node process serves. `quiesce` waits for the commits in flight (each request waiting for one
 * gets its answer), normalizes what is queued until `drainUntil` (epoch ms) if given, and ends normalization
 * (the batch in flight commits or rolls back; what is still queued stays queued, for the next start);
 * `close` closes the database; `stop` does both.
 */
export async function startService(config: Config, logger: Logger = silentLogger) {
  // One registry for the process, its process metrics included (Node only).
  const metrics = new Metrics({ maxProducers: config.metrics.maxProducers }).withProcessMetrics();
  const opened = await openDatabase(config);
  await migrate(opened, await readMigrations());
  await buildMissingDocuments(opened);
  await ensureEventPartitions(opened);
  const db = metrics.watchPool(opened, config.databaseUrl ? config.databasePoolSize : 1);
  const { writer, normalizer } = pipeline(db, config, metrics, logger);
  await normalizer.start();
  // Daily: the coming months' event partitions, and retention when PEDIGREE_RETENTION_DAYS is set.
  const retention = new RetentionSchedule(db, { days: config.retentionDays, logger });
  retention.start();
  const app = createApp({ db, writer, normalizer, config, metrics, logger, ui: nodeUi(), compressReads: true });
  /** Commits in flight ended, queue normalized until `drainUntil` if given, normalization and retention stopped. */
  const quiesce = async (options: { drainUntil?: number } = {}) => {
    await writer.idle();
    if (options.drainUntil !== undefined) {
      const { normalized } = await normalizer.drain({ deadline: options.drainUntil });
      logger.info({ normalized, stillQueued: (await backlog(db)).events }, 'normalization stopped');
    }
    await retention.stop();
    await normalizer.stop();
  };
  const close = () => db.close();
  const stop = async (options: { drainUntil?: number } = {}) => {
    await quiesce(options);
    await close();
  };
  return { app, db, writer, normalizer, metrics, quiesce, close, stop };
}
