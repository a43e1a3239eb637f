import { z } from '@hono/zod-openapi';
import { getDatasetOrModel, getDatasetOrModelVersion, listDatasetOrModelVersions } from '../../models/model-datasets';
import { listDatasets } from '../../read/datasets';
import { tagDataset, tagField } from '../../read/tags';
import { declare, router, serve } from '../declare';
import { pageFrom } from '../paging';
import { JSON_TEXT, json, readErrors } from '../schemas/common';
import { Dataset, Datasets, DatasetVersion, DatasetVersions } from '../schemas/marquez';
import { paging, segment } from '../schemas/params';

/** Datasets, their versions and tags. In the namespace `models`, a model version answers as a dataset. */
export const datasetRoutes = router();

const namespace = segment('namespace name (URL-encoded: namespaces often hold `://` and `:`)');
const dataset = segment('dataset name (URL-encoded)');
const tag = segment('tag name');

serve(
  datasetRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/datasets',
    scope: 'read',
    summary: 'List datasets (by name)',
    request: { params: z.object({ namespace }), query: z.object(paging()) },
    responses: { 200: json(Datasets, 'totalCount, datasets, and nextCursor'), ...readErrors },
  }),
  async (c) => c.body(await listDatasets(c.get('deps').db, c.req.valid('param').namespace, pageFrom(c.req.valid('query'))), 200, JSON_TEXT),
);

serve(
  datasetRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/datasets/{dataset}',
    scope: 'read',
    summary: 'Get a dataset (in namespace `models`: a model version, `<model>/<version>`)',
    request: { params: z.object({ namespace, dataset }) },
    responses: { 200: json(Dataset, 'the dataset'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await getDatasetOrModel(c.get('deps').db, p.namespace, p.dataset));
  },
);

serve(
  datasetRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/datasets/{dataset}/versions',
    scope: 'read',
    summary: 'List dataset versions, newest first',
    request: { params: z.object({ namespace, dataset }), query: z.object(paging()) },
    responses: { 200: json(DatasetVersions, 'the versions'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await listDatasetOrModelVersions(c.get('deps').db, p.namespace, p.dataset, pageFrom(c.req.valid('query'))));
  },
);

serve(
  datasetRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/datasets/{dataset}/versions/{version}',
    scope: 'read',
    summary: 'Get a dataset version',
    request: { params: z.object({ namespace, dataset, version: segment("version id, or the producer's version string") }) },
    responses: { 200: json(DatasetVersion, 'the version'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await getDatasetOrModelVersion(c.get('deps').db, p.namespace, p.dataset, p.version));
  },
);

for (const [method, on] of [
  ['post', true],
  ['delete', false],
] as const) {
  const verb = on ? 'add' : 'remove';
  serve(
    datasetRoutes,
    declare({
      method,
      path: '/namespaces/{namespace}/datasets/{dataset}/tags/{tag}',
      scope: 'write',
      summary: `Dataset tag: ${verb}`,
      request: { params: z.object({ namespace, dataset, tag }) },
      responses: { 200: json(Dataset, 'the dataset'), ...readErrors },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await tagDataset(c.get('deps').db, p.namespace, p.dataset, p.tag, on));
    },
  );
  serve(
    datasetRoutes,
    declare({
      method,
      path: '/namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}',
      scope: 'write',
      summary: `Field tag: ${verb} (tags are upper-cased, as in Marquez)`,
      request: { params: z.object({ namespace, dataset, field: segment('field name'), tag }) },
      responses: { 200: json(Dataset, 'the dataset'), ...readErrors },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await tagField(c.get('deps').db, p.namespace, p.dataset, p.field, p.tag, on));
    },
  );
}
