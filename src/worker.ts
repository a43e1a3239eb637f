import { createApp } from './app';
import { type Config, loadConfig } from './config';
import { openPostgres } from './db/postgres';
import { OidcVerifier } from './http/oidc';
import { ingestPipeline } from './ingest/pipeline';
import { createLogger, type Logger } from './log';
import { Metrics } from './metrics';

/**
 * Cloudflare Workers entry: the same app over postgres.js (DATABASE_URL or a Hyperdrive binding). Workers
 * never migrate: run `npm start` (or the migration step) against the database first.
 *
 * Workers keep no process to normalize in (see src/ingest/normalizer.ts): the queue is drained in turns.
 * A request that accepted events drains it after answering (ctx.waitUntil, within DRAIN_MS), and the cron
 * trigger of wrangler.toml drains what those left (a burst larger than a turn, a Worker evicted mid-way).
 * A request asking `Prefer: wait=normalized` normalizes its own events before answering. Several Workers
 * draining at once claim different events (SKIP LOCKED).
 */
interface Env {
  DATABASE_URL?: string;
  HYPERDRIVE?: { connectionString: string };
  [key: string]: unknown;
}

interface Ctx {
  waitUntil(p: Promise<unknown>): void;
}

/** How long a drain after a request, or on the cron trigger, may run (Workers limit a request's wall time). */
const DRAIN_MS = 20_000;

/** The Worker's settings; Hyperdrive's connection string stands for DATABASE_URL (settings that need PostgreSQL too). */
function open(env: Env): Config {
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const hyperdrive = env.HYPERDRIVE?.connectionString;
  return loadConfig(hyperdrive ? { ...vars, DATABASE_URL: hyperdrive } : vars);
}

/**
 * The Worker. Its app is built per request (I/O objects may not outlive one), but its metrics and logger live as long
 * as the isolate, as a Node process's do: created with the first request's configuration, handed to every
 * app. Each isolate counts only its own requests, and a scrape of /metrics reaches whichever isolate
 * Cloudflare routes it to: there the counts are one isolate's since it started (for debugging; fleet-wide
 * numbers are Cloudflare's analytics). There are no pool or process metrics on Workers.
 *
 * The OIDC verifier lives as long as the isolate too: its discovery document and the issuer's keys (jose's
 * remote key set, which knows Workers: it shares no fetch in flight between requests) are fetched by the
 * first request that needs them and cached for the next ones, rather than fetched on every request.
 *
 * No process outlives a request, so no normalizer loop runs: the request that accepted events drains the
 * queue after answering (ctx.waitUntil), and the cron trigger drains what requests left. With
 * PEDIGREE_NORMALIZE=off neither does: another instance on the same PostgreSQL normalizes.
 */
function workerEntry() {
  let isolate: { metrics: Metrics; logger: Logger; oidc?: OidcVerifier } | undefined;
  const shared = (config: Config) => {
    if (!isolate)
      isolate = { metrics: new Metrics({ maxProducers: config.metrics.maxProducers }), logger: createLogger({ level: config.log.level }) };
    if (config.oidc && !isolate.oidc) isolate.oidc = new OidcVerifier(config.oidc);
    return isolate;
  };
  return {
    async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
      const config = open(env);
      const url = config.databaseUrl;
      const { metrics, logger, oidc } = shared(config);
      if (!url) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 500 });
      // Workers may not share I/O objects between requests: one small pool per request.
      const db = openPostgres(url, { max: 1 });
      const { writer, normalizer } = ingestPipeline(db, { ...config, writeConcurrency: 1 }, { metrics, logger });
      const app = createApp({ db, writer, normalizer, config, metrics, logger, oidc });
      const response = await app.fetch(request, env);
      const drained = normalizer.acceptedEvents > 0 ? normalizer.drain({ deadline: Date.now() + DRAIN_MS }) : Promise.resolve();
      ctx.waitUntil(drained.catch((err) => logger.error({ err }, 'normalization after the request failed')).finally(() => db.close()));
      return response;
    },

    /** The cron trigger (wrangler.toml): drains what requests left queued. */
    async scheduled(_event: unknown, env: Env, ctx: Ctx): Promise<void> {
      const config = open(env);
      const url = config.databaseUrl;
      if (!url) return;
      const { metrics, logger } = shared(config);
      const db = openPostgres(url, { max: 1 });
      const { normalizer } = ingestPipeline(db, config, { metrics, logger });
      ctx.waitUntil(
        normalizer
          .drain({ deadline: Date.now() + DRAIN_MS })
          .catch((err) => logger.error({ err }, 'scheduled normalization failed'))
          .finally(() => db.close()),
      );
    },
  };
}

export default workerEntry();
