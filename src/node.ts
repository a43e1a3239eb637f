import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { createAdaptorServer } from '@hono/node-server';
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
/**
 * Connections waiting to be accepted, at most (the kernel caps it at net.core.somaxconn). Node's default,
 * 511, overflows when a burst of producers connect at once while the event loop is busy, as hundreds of
 * clients reconnecting after a deploy do: the kernel then drops their SYNs, and each one waits a second or
 * three for its retry.
 */
const LISTEN_BACKLOG = 4096;
const server = createAdaptorServer({ fetch: service.app.fetch }) as Server;
// A port that cannot be had (in use, or privileged) ends the process with one clear line, not a stack trace.
const cannotListen = (error: NodeJS.ErrnoException) => {
  const why = error.code === 'EADDRINUSE' ? 'is already in use' : error.code === 'EACCES' ? 'needs privileges' : 'cannot be listened on';
  logger.error({ err: error, port: config.port }, `port ${config.port} ${why}: set PORT to another`);
  void service.stop().finally(() => {
    logger.flush();
    process.exit(1);
  });
};
server.once('error', cannotListen);
server.listen({ port: config.port, backlog: LISTEN_BACKLOG }, () => {
  server.off('error', cannotListen);
  const info = server.address() as AddressInfo;
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const normalization = !config.normalize.enabled
    ? 'another instance (PEDIGREE_NORMALIZE=off)'
    : service.normalizer instanceof NormalizerThread
      ? 'own thread'
      : 'request thread';
  logger.info({ port: info.port, database, normalization }, `pedigree listening on http://localhost:${info.port}`);
});

const shutdown = onShutdown({ server, service, logger });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
