import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { NormalizerThread } from './ingest/normalizer-thread';
import { nodeLogger } from './log-node';
import { startService } from './service';
import { onShutdown } from './shutdown';

const config = loadConfig(process.env);
const logger = nodeLogger(config.log);
const service = await startService(config, logger);
const server = serve({ fetch: service.app.fetch, port: config.port }, (info) => {
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const normalization = service.normalizer instanceof NormalizerThread ? 'own thread' : 'request thread';
  logger.info({ port: info.port, database, normalization }, `pedigree listening on http://localhost:${info.port}`);
}) as Server;

const shutdown = onShutdown({ server, service, logger });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
