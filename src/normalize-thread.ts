import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from './db/postgres';
import { Normalizer } from './ingest/normalizer';
import { loggerTo, progressTo, ready, serveNormalizer, type ThreadData } from './ingest/normalizer-thread';
import { lowerThisThreadPriority } from './ingest/thread-priority';

/**
 * The normalization thread's entry (src/ingest/normalizer-thread.ts): a normalizer over its own pool of
 * connections to the same PostgreSQL, answering the process that started it.
 */
const data = workerData as ThreadData;
const port = parentPort!;
const logger = loggerTo(port);
if (data.nice > 0) {
  const priority = lowerThisThreadPriority(data.nice);
  // Expected to work on Linux only: elsewhere it is said once, quietly.
  const say = process.platform === 'linux' ? logger.warn : logger.info;
  if (!priority.lowered) say({ nice: data.nice, reason: priority.why }, 'normalization thread runs at the priority of the process');
}
const db = openPostgres(data.databaseUrl, { max: data.poolSize });
const normalizer = new Normalizer(db, { ...data.normalizer, progress: progressTo(port), logger });
serveNormalizer(port, normalizer, () => db.close());
normalizer.start();
ready(port);
