import { Hono } from 'hono';
import { getDataset, getDatasetVersion, listDatasets, listDatasetVersions } from '../../read/datasets';
import { pageOf } from '../../read/page';
import { tagDataset, tagField } from '../../read/tags';
import type { AppEnv } from '../context';
import { params } from '../params';

export const datasetRoutes = new Hono<AppEnv>();
const base = '/namespaces/:namespace/datasets';

datasetRoutes.get(base, async (c) => c.json(await listDatasets(c.get('deps').db, c.req.param('namespace'), pageOf(params(c)))));
datasetRoutes.get(`${base}/:dataset`, async (c) =>
  c.json(await getDataset(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'))),
);
datasetRoutes.get(`${base}/:dataset/versions`, async (c) =>
  c.json(await listDatasetVersions(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), pageOf(params(c)))),
);
datasetRoutes.get(`${base}/:dataset/versions/:version`, async (c) =>
  c.json(await getDatasetVersion(c.get('deps').db, c.req.param('namespace'), c.req.param('dataset'), c.req.param('version'))),
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
