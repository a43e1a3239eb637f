import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { startService } from './service';

const config = loadConfig(process.env);
const service = await startService(config);
const { app } = service;
const server = serve({ fetch: app.fetch, port: config.port }, (info) => {
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  console.log(`pedigree listening on http://localhost:${info.port} with ${where}`);
});

const stop = () => {
  server.close(() => void service.stop().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
