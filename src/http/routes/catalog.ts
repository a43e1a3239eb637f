import { Hono } from 'hono';
import { getNamespace, getSource, listNamespaces, listSources } from '../../read/catalog';
import { listTags, putTag } from '../../read/tags';
import { readBody } from '../body';
import type { AppEnv } from '../context';
import { pageOf, params } from '../params';
import { badRequest } from '../problem';

/** Namespaces, sources and tags. */
export const catalogRoutes = new Hono<AppEnv>();

catalogRoutes.get('/namespaces', async (c) => c.json(await listNamespaces(c.get('deps').db, pageOf(params(c)))));
catalogRoutes.get('/namespaces/:namespace', async (c) => c.json(await getNamespace(c.get('deps').db, c.req.param('namespace'))));
catalogRoutes.get('/sources', async (c) => c.json(await listSources(c.get('deps').db, pageOf(params(c)))));
catalogRoutes.get('/sources/:source', async (c) => c.json(await getSource(c.get('deps').db, c.req.param('source'))));
catalogRoutes.get('/tags', async (c) => c.json(await listTags(c.get('deps').db, pageOf(params(c)))));

/** Body `{"description": "..."}` (optional). */
catalogRoutes.put('/tags/:tag', async (c) => {
  const text = new TextDecoder().decode(await readBody(c.req.raw, { maxBytes: 64 * 1024 }));
  let description: string | null = null;
  if (text.trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest('the body is not JSON', [{ pointer: '', message: 'invalid JSON' }]);
    }
    const d = (body as { description?: unknown } | null)?.description;
    if (d !== undefined && d !== null && typeof d !== 'string') {
      throw badRequest('description must be a string', [{ pointer: '/description', message: 'must be a string' }]);
    }
    description = (d as string | undefined) ?? null;
  }
  return c.json(await putTag(c.get('deps').db, c.req.param('tag'), description));
});
