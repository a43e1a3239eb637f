import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from './db/postgres';
import { Normalizer } from './ingest/normalizer';
import { progressTo, ready, serveNormalizer, type ThreadData } from './ingest/normalizer-thread';
import { nodeLogger } from './log-node';

/**
 * The normalization thread's entry (src/ingest/normalizer-thread.ts): a normalizer over its own pool of
 * connections to the same PostgreSQL, answering the process that started it.
 */
const data = workerData as ThreadData;
const port = parentPort!;
const logger = nodeLogger(data.log).child({ thread: 'normalizer' });
const db = openPostgres(data.databaseUrl, { max: data.poolSize });
const normalizer = new Normalizer(db, { ...data.normalizer, progress: progressTo(port), logger });
serveNormalizer(port, normalizer, async () => {
  await db.close();
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
});
normalizer.start();
ready(port);
