import { Hono } from 'hono';
import { isDatabaseUnavailable, isRefusedValue } from './db/errors';
import { authenticate } from './http/auth';
import { discardBody } from './http/body';
import type { AppEnv, Deps } from './http/context';
import { databaseUnavailable, Problem } from './http/problem';
import { browseRoutes } from './http/routes/browse';
import { catalogRoutes } from './http/routes/catalog';
import { datasetRoutes } from './http/routes/datasets';
import { graphRoutes } from './http/routes/graph';
import { healthRoutes } from './http/routes/health';
import { jobRoutes } from './http/routes/jobs';
import { lineageRoutes } from './http/routes/lineage';
import { mlflowRoutes } from './http/routes/mlflow';
import { modelRoutes } from './http/routes/models';
import { RegistryProblem } from './models/errors';

/**
 * The one app factory. Runtime-neutral: the Node and Workers entry points build `deps` and hand requests
 * to the app; nothing here knows which runtime it is on.
 */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.route('/', healthRoutes);
  app.use('/api/*', authenticate);
  for (const routes of [lineageRoutes, graphRoutes, catalogRoutes, datasetRoutes, jobRoutes, browseRoutes, modelRoutes])
    app.route('/api/v1', routes);
  app.route(MLFLOW_PREFIX, mlflowRoutes);

  app.notFound((c) => problem(c.req.raw, new Problem(404, 'Not Found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(async (error, c) => {
    // Read what the client is still sending, or our answer would be lost to a connection reset.
    await discardBody(c.req.raw);
    if (error instanceof Problem) return problem(c.req.raw, error);
    if (isDatabaseUnavailable(error)) return problem(c.req.raw, databaseUnavailable());
    if (isRefusedValue(error))
      return problem(
        c.req.raw,
        new Problem(400, 'Bad Request', 'a value in the request cannot be stored or compared (too long, or not valid text)'),
      );
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return problem(c.req.raw, new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'));
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

const MLFLOW_PREFIX = '/api/2.0/mlflow';

/** MLflow's error codes for the statuses Pedigree answers, when the problem names none. */
const MLFLOW_CODES: Record<number, string> = {
  400: 'INVALID_PARAMETER_VALUE',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'RESOURCE_DOES_NOT_EXIST',
  409: 'INVALID_STATE',
  413: 'INVALID_PARAMETER_VALUE',
  415: 'INVALID_PARAMETER_VALUE',
  503: 'TEMPORARILY_UNAVAILABLE',
};

/**
 * The one error rendering: problem+json (with Marquez's `code` and `message`), or MLflow's
 * `{error_code, message}` under the MLflow API, where its clients parse errors.
 */
function problem(request: Request, p: Problem): Response {
  const path = new URL(request.url).pathname;
  if (path.startsWith(`${MLFLOW_PREFIX}/`)) {
    const errorCode = p instanceof RegistryProblem ? p.errorCode : (MLFLOW_CODES[p.status] ?? 'INTERNAL_ERROR');
    const body = { error_code: errorCode, message: p.detail ?? p.title, ...(p.errors ? { details: p.errors } : {}) };
    return new Response(JSON.stringify(body), { status: p.status, headers: { 'content-type': 'application/json', ...p.headers } });
  }
  const body = {
    type: 'about:blank',
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    instance: new URL(request.url).pathname,
    ...(p.errors ? { errors: p.errors } : {}),
    // Marquez's error fields, so clients written for it (the web UI's toasts) show the reason.
    code: p.status,
    message: p.detail ?? p.title,
  };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers },
  });
}
