import { serve } from '@hono/node-server';
import { loadConfig } from './config';
import { startService } from './service';

const config = loadConfig(process.env);
const { app, db } = await startService(config);
const server = serve({ fetch: app.fetch, port: config.port }, (info) => {
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  console.log(`pedigree listening on http://localhost:${info.port} with ${where}`);
});

const stop = () => {
  server.close(() => void db.close().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
