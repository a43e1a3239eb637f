import { authenticate } from './http/auth';
import { discardBody } from './http/body';
import { compressReads } from './http/compress';
import type { Deps } from './http/context';
import { router } from './http/declare';
import { MLFLOW_PREFIX, problemOf, renderProblem } from './http/errors';
import { measure, metricsAccess } from './http/metrics';
import { OidcVerifier } from './http/oidc';
import { openApiDocument } from './http/openapi';
import { Problem } from './http/problem';
import { requestIds, requestLog } from './http/request-log';
import { PrefixRouter } from './http/router';
import { authConfigRoutes } from './http/routes/auth-config';
import { browseRoutes } from './http/routes/browse';
import { catalogRoutes } from './http/routes/catalog';
import { datasetRoutes } from './http/routes/datasets';
import { deletionRoutes } from './http/routes/deletion';
import { graphRoutes } from './http/routes/graph';
import { healthRoutes } from './http/routes/health';
import { jobRoutes } from './http/routes/jobs';
import { lineageRoutes } from './http/routes/lineage';
import { meRoutes } from './http/routes/me';
import { metricsRoutes } from './http/routes/metrics';
import { mlflowRoutes } from './http/routes/mlflow';
import { ARTIFACT_STORE_PREFIX, mlflowArtifactRoutes, mlflowArtifactStoreRoutes } from './http/routes/mlflow-artifacts';
import { mlflowExperimentRoutes } from './http/routes/mlflow-experiments';
import { mlflowLoggedModelRoutes } from './http/routes/mlflow-logged-models';
import { mlflowRunRoutes } from './http/routes/mlflow-runs';
import { modelRoutes } from './http/routes/models';
import { normalizationRoutes } from './http/routes/normalization';
import { producerRoutes } from './http/routes/producers';
import { silentLogger } from './log';
import { Metrics } from './metrics';

/**
 * What an app is built from. The entry points (service.ts, worker.ts) create the metrics and give the same
 * to the writer; an app built without (tests, benchmarks, scripts) gets its own, which its writer does not
 * report to.
 */
export type AppDeps = Omit<Deps, 'metrics' | 'logger'> & Partial<Pick<Deps, 'metrics' | 'logger'>>;

/** The OpenAPI document, the same for every app (see createApp). */
let openApi: ReturnType<typeof openApiDocument> | undefined;

/**
 * The one app factory. Runtime-neutral: the Node and Workers entry points build `deps` and hand requests
 * to the app; nothing here knows which runtime it is on.
 */
export function createApp(appDeps: AppDeps) {
  const oidc = appDeps.config?.oidc;
  const deps: Deps = {
    ...appDeps,
    metrics: appDeps.metrics ?? new Metrics({ maxProducers: appDeps.config?.metrics.maxProducers }),
    logger: appDeps.logger ?? silentLogger,
    oidc: appDeps.oidc ?? (oidc ? new OidcVerifier(oidc) : undefined),
  };
  // MLflow's API has its own tree of routes; every other path is matched by one regular expression.
  const app = router(new PrefixRouter(`${MLFLOW_PREFIX}/`));
  // First: it measures everything after it, and sees every answer, errors included.
  app.use(measure(deps.metrics));
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use(requestIds, requestLog);
  if (deps.compressReads) app.use(compressReads);
  app.route('/', healthRoutes);
  app.use('/metrics', metricsAccess);
  app.route('/', metricsRoutes);
  // Before authentication: how to sign in is asked before signing in.
  app.route('/api/v1', authConfigRoutes);
  app.use('/api/*', authenticate);
  for (const routes of [
    lineageRoutes,
    normalizationRoutes,
    graphRoutes,
    catalogRoutes,
    datasetRoutes,
    jobRoutes,
    deletionRoutes,
    browseRoutes,
    modelRoutes,
    producerRoutes,
    meRoutes,
  ])
    app.route('/api/v1', routes);
  for (const routes of [mlflowRoutes, mlflowExperimentRoutes, mlflowRunRoutes, mlflowLoggedModelRoutes, mlflowArtifactRoutes])
    app.route(MLFLOW_PREFIX, routes);
  app.route(ARTIFACT_STORE_PREFIX, mlflowArtifactStoreRoutes);
  // Described from the routes' declarations; public: it describes, it reads no data. Built on the first
  // request for it and kept: every app has the same routes, and building it costs far more than building
  // the app (the Worker builds an app per request).
  app.get('/openapi.json', (c) => {
    openApi ??= openApiDocument(app);
    return c.json(openApi);
  });
  // The web UI owns every other GET: its files, and index.html for its pages. The API's paths stay the API's.
  const ui = deps.ui;
  if (ui) app.get('*', (c, next) => (isApiPath(c.req.path) ? next() : ui(c, next)));

  app.notFound(async (c) => {
    await discardBody(c.req.raw);
    return renderProblem(c.req.raw, new Problem(404, 'Not Found', `no route for ${c.req.method} ${c.req.path}`));
  });
  app.onError(async (error, c) => {
    // Read what the client is still sending, or our answer would be lost to a connection reset.
    await discardBody(c.req.raw);
    const known = problemOf(error, c);
    if (known) return renderProblem(c.req.raw, known);
    deps.logger.error({ err: error, reqId: c.get('requestId'), method: c.req.method, path: c.req.path }, 'request failed');
    return renderProblem(c.req.raw, new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'));
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

const isApiPath = (path: string) =>
  path.startsWith('/api/') || path === '/api' || path === '/openapi.json' || path === '/healthcheck' || path === '/metrics';
