import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ImportInterrupted } from '../ingest/import';
import { backlog } from '../ingest/queue';
import type { Metrics, RejectionReason } from '../metrics';
import { authenticate } from './auth';
import type { AppEnv, Deps } from './context';
import { Refusal } from './problem';

/** The ingest endpoints: their refused requests are counted as rejected events. */
const INGEST_PATHS = new Set(['/api/v1/lineage', '/api/v1/lineage/batch']);

/**
 * A refusal that carries no reason, by its status: a 400 that is not a Refusal is a parameter, or a value
 * the database refused; anything else (a 500) is an error.
 */
const BY_STATUS: Record<number, RejectionReason> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  413: 'too_large',
  415: 'unsupported_media',
  503: 'unavailable',
};

/**
 * The template of the route that answered (`/api/v1/namespaces/:namespace/jobs/:job`), never the path:
 * a label's values must stay few. Middleware (`app.use`, method ALL) matches too; the first route of a
 * method is the endpoint's, also when a middleware answered before it (a 401). No route: `unmatched`.
 */
export function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  for (const route of matchedRoutes(c)) if (route.method !== 'ALL') return route.path;
  return 'unmatched';
}

/**
 * Measures every request (its duration by method, route template and status class) and counts the
 * refused requests to the ingest endpoints by reason: the reason the error carries (a Refusal: the body
 * or the event, with the event's producer when it was read), else its status. Items a batch refuses one
 * by one are counted by the import as it refuses them (ingest/import.ts), and accepted events by the
 * writer at commit (ingest/writer.ts). Errors have already become answers here (app.onError), so the
 * status is the one sent.
 */
export const measure =
  (metrics: Metrics): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    metrics.request(c.req.method, routeOf(c), status, (performance.now() - started) / 1000);
    if (status >= 400 && c.req.method === 'POST' && INGEST_PATHS.has(c.req.path)) {
      const error = c.error instanceof ImportInterrupted ? c.error.cause : c.error;
      if (error instanceof Refusal) metrics.refused(error.reason, error.producer);
      else metrics.refused(BY_STATUS[status] ?? 'error');
    }
  };

/**
 * GET /metrics: public with PEDIGREE_METRICS_PUBLIC (a scraper holding no key), else like the API: a key
 * with the `read` scope when keys are configured (its route's declaration checks the scope).
 */
export const metricsAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('deps').config.metrics.public) return authenticate(c, next);
  c.set('actor', { name: 'metrics scraper', scopes: ['read'], authenticated: false });
  return next();
};

/**
 * The backlog and the events set aside as the database has them now (every instance's), before
 * /healthcheck or /metrics report them: the normalizer knows only what it claims, not what waits.
 */
export async function refreshBacklog(deps: Pick<Deps, 'db' | 'metrics'>): Promise<void> {
  const queued = await backlog(deps.db);
  deps.metrics.normalization.pending(queued.events, queued.oldestAcceptedAt, queued.failed);
}
