import { Hono } from 'hono';
import { getDatasetOrModel, getDatasetOrModelVersion, listDatasetOrModelVersions } from '../../models/model-datasets';
import { listDatasets } from '../../read/datasets';
import { tagDataset, tagField } from '../../read/tags';
import type { AppEnv } from '../context';
import { pageOf, params } from '../params';

export const datasetRoutes = new Hono<AppEnv>();
const base = '/namespaces/:namespace/datasets';

datasetRoutes.get(base, async (c) => c.json(await listDatasets(c.get('deps').db, c.req.param('namespace'), pageOf(params(c)))));
/** In the namespace `models`, a model version answers as a dataset (src/models/model-datasets.ts). */
datasetRoutes.get(`${base}/:dataset`, async (c) =>
  c.json(await getDatasetOrModel(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'))),
);
datasetRoutes.get(`${base}/:dataset/versions`, async (c) =>
  c.json(await listDatasetOrModelVersions(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), pageOf(params(c)))),
);
datasetRoutes.get(`${base}/:dataset/versions/:version`, async (c) =>
  c.json(await getDatasetOrModelVersion(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), c.req.param('version'))),
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
