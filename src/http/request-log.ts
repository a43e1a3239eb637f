import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { ImportInterrupted } from '../ingest/import';
import type { AppEnv } from './context';
import { routeOf } from './metrics';
import { Refusal } from './problem';

/**
 * The request's id: the caller's `X-Request-Id` when it sends a usable one (printable, at most 200
 * characters), else a new UUID; answered in `X-Request-Id` either way, and carried by every log line of the
 * request, so that a client's report, a proxy's log and ours meet.
 */
export const requestIds = requestId({ headerName: 'X-Request-Id', limitLength: 200 });

/** Probes and scrapes come every few seconds and say nothing: logged at `debug` when they succeed. */
const QUIET_ROUTES = new Set(['/healthcheck', '/metrics']);

/**
 * One line per request once it is answered: id, method, route template and path, status, duration, who
 * called (the principal) and, for ingest, which producer sent the event. A 5xx is logged at `error` (its
 * stack was logged by app.onError with the same id), everything else at `info`.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  // An error's answer is a new Response (app.onError), made without the header set before it.
  if (!c.res.headers.has('x-request-id')) c.header('X-Request-Id', c.get('requestId'));
  const status = c.res.status;
  const route = routeOf(c);
  const quiet = status < 400 && QUIET_ROUTES.has(route);
  const level = status >= 500 ? 'error' : quiet ? 'debug' : 'info';
  const logger = c.get('deps').logger;
  if (!logger.isLevelEnabled(level)) return;
  const error = c.error instanceof ImportInterrupted ? c.error.cause : c.error;
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  logger[level](
    {
      reqId: c.get('requestId'),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      durationMs,
      principal: c.get('actor')?.name,
      ...(error instanceof Refusal && error.producer && { producer: error.producer }),
      ...c.get('logFields'),
    },
    `${c.req.method} ${c.req.path} ${status} ${durationMs} ms`,
  );
};
