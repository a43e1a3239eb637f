import { type Context, Hono } from 'hono';
import { MODELS_NAMESPACE, modelDataset } from '../../models/graph';
import { getDataset, getDatasetVersion, listDatasets, listDatasetVersions } from '../../read/datasets';
import { pageOf } from '../../read/page';
import { tagDataset, tagField } from '../../read/tags';
import type { AppEnv } from '../context';
import { params } from '../params';
import { Problem } from '../problem';

export const datasetRoutes = new Hono<AppEnv>();
const base = '/namespaces/:namespace/datasets';

datasetRoutes.get(base, async (c) => c.json(await listDatasets(c.get('deps').db, c.req.param('namespace'), pageOf(params(c)))));
/**
 * A dataset, or (namespace `models`, when no such dataset exists) a model version in Dataset's shape: the
 * web UI fetches every node it draws, and model versions are drawn as datasets (src/models/graph.ts).
 */
type ModelAsDataset = NonNullable<Awaited<ReturnType<typeof modelDataset>>>;

async function asModel<T>(c: Context<AppEnv>, read: () => Promise<T>, model: (m: ModelAsDataset) => unknown) {
  try {
    return c.json(await read());
  } catch (error) {
    if (!(error instanceof Problem) || error.status !== 404 || c.req.param('namespace') !== MODELS_NAMESPACE) throw error;
    const found = await modelDataset(c.get('deps').db, c.req.param('dataset')!);
    const answer = found && model(found);
    if (!answer) throw error;
    return c.json(answer);
  }
}

datasetRoutes.get(`${base}/:dataset`, (c) =>
  asModel(
    c,
    () => getDataset(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset')),
    (m) => m.dataset,
  ),
);
datasetRoutes.get(`${base}/:dataset/versions`, (c) =>
  asModel(
    c,
    () => listDatasetVersions(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), pageOf(params(c))),
    (m) => ({ totalCount: 1, versions: [m.version] }),
  ),
);
datasetRoutes.get(`${base}/:dataset/versions/:version`, (c) =>
  asModel(
    c,
    () => getDatasetVersion(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), c.req.param('version')),
    (m) => (m.version.version === c.req.param('version').toLowerCase() ? m.version : undefined),
  ),
);
for (const [method, on] of [
  ['post', true],
  ['delete', false],
] as const) {
  datasetRoutes[method](`${base}/:dataset/tags/:tag`, async (c) =>
    c.json(await tagDataset(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), c.req.param('tag'), on)),
  );
  datasetRoutes[method](`${base}/:dataset/fields/:field/tags/:tag`, async (c) =>
    c.json(
      await tagField(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), c.req.param('field'), c.req.param('tag'), on),
    ),
  );
}
