import { z } from '@hono/zod-openapi';
import { getNamespace, getSource, listNamespaces, listSources } from '../../read/catalog';
import { listTags, putTag } from '../../read/tags';
import { declare, router, serve } from '../declare';
import { pageFrom } from '../paging';
import { json, readErrors } from '../schemas/common';
import { Namespace, Namespaces, Source, Sources, Tag, Tags } from '../schemas/marquez';
import { paging, segment } from '../schemas/params';

/** Namespaces, sources and tags. */
export const catalogRoutes = router();

serve(
  catalogRoutes,
  declare({
    method: 'get',
    path: '/namespaces',
    scope: 'read',
    summary: 'List namespaces',
    request: { query: z.object(paging()) },
    responses: { 200: json(Namespaces, 'the namespaces'), ...readErrors },
  }),
  async (c) => c.json(await listNamespaces(c.get('deps').db, pageFrom(c.req.valid('query')))),
);

serve(
  catalogRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}',
    scope: 'read',
    summary: 'Get a namespace',
    request: { params: z.object({ namespace: segment('namespace name (URL-encoded: namespaces often hold `://` and `:`)') }) },
    responses: { 200: json(Namespace, 'the namespace'), ...readErrors },
  }),
  async (c) => c.json(await getNamespace(c.get('deps').db, c.req.valid('param').namespace)),
);

serve(
  catalogRoutes,
  declare({
    method: 'get',
    path: '/sources',
    scope: 'read',
    summary: 'List sources',
    request: { query: z.object(paging()) },
    responses: { 200: json(Sources, 'the sources'), ...readErrors },
  }),
  async (c) => c.json(await listSources(c.get('deps').db, pageFrom(c.req.valid('query')))),
);

serve(
  catalogRoutes,
  declare({
    method: 'get',
    path: '/sources/{source}',
    scope: 'read',
    summary: 'Get a source',
    request: { params: z.object({ source: segment('source name') }) },
    responses: { 200: json(Source, 'the source'), ...readErrors },
  }),
  async (c) => c.json(await getSource(c.get('deps').db, c.req.valid('param').source)),
);

serve(
  catalogRoutes,
  declare({
    method: 'get',
    path: '/tags',
    scope: 'read',
    summary: 'List tags',
    request: { query: z.object(paging()) },
    responses: { 200: json(Tags, 'the tags'), ...readErrors },
  }),
  async (c) => c.json(await listTags(c.get('deps').db, pageFrom(c.req.valid('query')))),
);

serve(
  catalogRoutes,
  declare({
    method: 'put',
    path: '/tags/{tag}',
    scope: 'write',
    summary: 'Create or describe a tag',
    request: {
      params: z.object({ tag: segment('tag name') }),
      body: { required: false, content: { 'application/json': { schema: z.object({ description: z.string().nullish() }) } } },
    },
    responses: { 200: json(Tag, 'the tag'), ...readErrors },
  }),
  async (c) => c.json(await putTag(c.get('deps').db, c.req.valid('param').tag, c.req.valid('json').description ?? null)),
);
