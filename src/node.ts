import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { NormalizerThread } from './ingest/normalizer-thread';
import { nodeLogger } from './log-node';
import { startService } from './service';
import { onShutdown } from './shutdown';

const config = loadConfig(process.env);
// The start script's --heap-growing-percent=30 keeps the embedded database's process within its memory
// budget: V8 collects the whole heap each time it grew by 30%. With PostgreSQL the process holds no
// database, and collecting at that pace cost an eighth to a sixth of its CPU under load: there the heap may double
// between full collections. The limit is computed anew after each collection, so changing it now holds
// (for the normalization thread too, whose heap is made later).
if (config.databaseUrl) setFlagsFromString('--heap-growing-percent=100');
const logger = nodeLogger(config.log);
const service = await startService(config, logger);
const server = serve({ fetch: service.app.fetch, port: config.port }, (info) => {
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const normalization = service.normalizer instanceof NormalizerThread ? 'own thread' : 'request thread';
  logger.info({ port: info.port, database, normalization }, `pedigree listening on http://localhost:${info.port}`);
}) as Server;

const shutdown = onShutdown({ server, service, logger });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
