import { z } from '@hono/zod-openapi';
import { deploy, listDeployments } from '../../models/deployments';
import { resolveVersion } from '../../models/registry';
import { parseModelsUri, versionRef } from '../../models/uri';
import { declare, router, serve } from '../declare';
import { json, readErrors } from '../schemas/common';
import { bodyText, Deployment, Deployments } from '../schemas/models';
import { optionalInteger, text } from '../schemas/params';

/** Where model versions are served: each deployment recorded, the earlier ones kept as history. */
export const deploymentRoutes = router();

/** `model` is a `models:/` URI, or a name with `version` (a number, alias or stage): the version either names. */
const NewDeployment = z
  .object({
    endpoint: bodyText('where it is served, e.g. `/predict`'),
    model: bodyText('a registered model name, or a `models:/<name>/<version>` URI'),
    version: z
      .union([z.string(), z.number().int()], { error: 'must be a version number, an alias or a stage' })
      .transform(String)
      .optional()
      .openapi({ type: 'string', description: 'with a model name: a number, an alias or a stage' }),
    environment: bodyText('default: production').optional(),
  })
  .transform((b, ctx) => {
    const target = parseModelsUri(b.model) ?? (b.version !== undefined ? versionRef(b.model, b.version) : undefined);
    if (target) return { ...b, target };
    ctx.addIssue({ code: 'custom', path: ['version'], message: 'is required with a model name (or give a models:/ URI)' });
    return z.NEVER;
  });

serve(
  deploymentRoutes,
  declare({
    method: 'post',
    path: '/deployments',
    scope: 'write',
    summary: 'Record that an endpoint now serves a version',
    request: { body: { required: true, content: { 'application/json': { schema: NewDeployment } } } },
    responses: { 201: json(Deployment, 'the deployment'), ...readErrors },
  }),
  async (c) => {
    const { db } = c.get('deps');
    const b = c.req.valid('json');
    const v = await resolveVersion(db, b.target);
    return c.json(await deploy(db, c.get('actor').name, v, b), 201);
  },
);

serve(
  deploymentRoutes,
  declare({
    method: 'get',
    path: '/deployments',
    scope: 'read',
    summary: 'Deployment history, newest first',
    request: {
      query: z.object({
        endpoint: text('only this endpoint'),
        environment: text('only this environment'),
        model: text('only this registered model'),
        version: optionalInteger('only this version of the model', 1),
      }),
    },
    responses: { 200: json(Deployments, 'the deployments (at most 1000)'), 400: readErrors[400] },
  }),
  async (c) => {
    return c.json({ deployments: await listDeployments(c.get('deps').db, c.req.valid('query')) });
  },
);
