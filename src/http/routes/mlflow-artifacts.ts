import type { Context } from 'hono';
import type { AppEnv } from '../context';
import { router } from '../declare';
import { Problem } from '../problem';

/**
 * MLflow's artifact routes (the proxied artifact store `mlflow-artifacts`, and the listing and download
 * routes of its tracking and registry APIs). Pedigree stores no artifacts: experiments get an artifact
 * location under PEDIGREE_MLFLOW_ARTIFACT_ROOT that clients read and write directly. These routes answer
 * 404 ENDPOINT_NOT_FOUND, which MLflow's clients read as "this server has no such API", with why, after
 * reading what the client sends (an upload answered unread would reach it as a reset, and it would retry).
 */
export const mlflowArtifactRoutes = router();

const explanation = (c: Context<AppEnv>) =>
  `Pedigree stores no artifacts: ${c.req.method} ${c.req.path} is not served. Clients read and write artifacts at the ` +
  `artifact location of the experiment (under PEDIGREE_MLFLOW_ARTIFACT_ROOT, here "${c.get('deps').config.mlflow.artifactRoot}").`;

const notServed = (c: Context<AppEnv>): never => {
  throw new Problem(404, 'Not Found', explanation(c), undefined, undefined, 'ENDPOINT_NOT_FOUND');
};

/** The routes of the tracking and registry APIs that read artifacts (under the MLflow prefix). */
for (const path of ['/artifacts/list', '/get-artifact', '/model-versions/get-artifact', '/logged-models/:model_id/artifacts/*'])
  mlflowArtifactRoutes.all(path, notServed);

/** MLflow's proxied artifact store, `/api/2.0/mlflow-artifacts/…`: uploads, downloads, listings, multipart. */
export const ARTIFACT_STORE_PREFIX = '/api/2.0/mlflow-artifacts';
export const mlflowArtifactStoreRoutes = router();
mlflowArtifactStoreRoutes.all('/*', notServed);
