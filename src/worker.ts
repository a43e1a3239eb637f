import { createApp } from './app';
import { loadConfig } from './config';
import { openPostgres } from './db/postgres';
import { EventWriter } from './ingest/writer';
import { Metrics } from './metrics';

/**
 * Cloudflare Workers entry: the same app over postgres.js (DATABASE_URL or a Hyperdrive binding). Workers
 * never migrate: run `npm start` (or the migration step) against the database first.
 */
interface Env {
  DATABASE_URL?: string;
  HYPERDRIVE?: { connectionString: string };
  [key: string]: unknown;
}

/**
 * The Worker. Its app is built per request (I/O objects may not outlive one), but its metrics live as long
 * as the isolate, as a Node process's do: created with the first request's configuration, handed to every
 * app. Each isolate counts only its own requests, and a scrape of /metrics reaches whichever isolate
 * Cloudflare routes it to: there the counts are one isolate's since it started (for debugging; fleet-wide
 * numbers are Cloudflare's analytics). There are no pool or process metrics on Workers.
 */
function workerEntry() {
  let metrics: Metrics | undefined;
  return {
    async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
      const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      const config = loadConfig(vars);
      metrics ??= new Metrics({ maxProducers: config.metrics.maxProducers });
      const url = env.HYPERDRIVE?.connectionString ?? config.databaseUrl;
      if (!url) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 500 });
      // Workers may not share I/O objects between requests: one small pool per request.
      const db = openPostgres(url, { max: 1 });
      const app = createApp({ db, writer: new EventWriter(db, { concurrency: 1, metrics }), config, metrics });
      const response = await app.fetch(request, env);
      ctx.waitUntil(db.close());
      return response;
    },
  };
}

export default workerEntry();
