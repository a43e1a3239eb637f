import { createApp } from './app';
import { loadConfig } from './config';
import { openPostgres } from './db/postgres';
import { EventWriter } from './ingest/writer';

/**
 * Cloudflare Workers entry: the same app over postgres.js (DATABASE_URL or a Hyperdrive binding). Workers
 * never migrate: run `npm start` (or the migration step) against the database first.
 */
interface Env {
  DATABASE_URL?: string;
  HYPERDRIVE?: { connectionString: string };
  [key: string]: unknown;
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const config = loadConfig(vars);
    const url = env.HYPERDRIVE?.connectionString ?? config.databaseUrl;
    if (!url) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 500 });
    // Workers may not share I/O objects between requests: one small pool per request.
    const db = openPostgres(url, { max: 1 });
    const app = createApp({ db, writer: new EventWriter(db, { concurrency: 1 }), config });
    const response = await app.fetch(request, env);
    ctx.waitUntil(db.close());
    return response;
  },
};
