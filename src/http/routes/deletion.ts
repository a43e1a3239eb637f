import { z } from '@hono/zod-openapi';
import { hideDataset, hideJob, hideNamespace } from '../../deletion/hide';
import { purge } from '../../deletion/purge';
import { auditLog } from '../../models/audit';
import { declare, router, serve } from '../declare';
import { json, problem, readErrors } from '../schemas/common';
import { AuditLog, PurgeRequest, PurgeResult } from '../schemas/deletion';
import { Dataset, Job, Namespace } from '../schemas/marquez';
import { paging, segment, text } from '../schemas/params';

/**
 * Deletion: Marquez's soft deletes (hide: `write` scope), the purge (`admin`), and the audit log that
 * records both (src/deletion/).
 */
export const deletionRoutes = router();

const namespace = segment('namespace name (URL-encoded)');
const hideErrors = { ...readErrors, 404: problem('no such namespace, or no such dataset or job, or it is hidden already') };

serve(
  deletionRoutes,
  declare({
    method: 'delete',
    path: '/namespaces/{namespace}/datasets/{dataset}',
    scope: 'write',
    summary:
      'Soft-delete a dataset, as Marquez: hidden from every read until an event received afterwards names it; answers the dataset as it was',
    request: { params: z.object({ namespace, dataset: segment('dataset name (URL-encoded)') }) },
    responses: { 200: json(Dataset, 'the dataset hidden'), ...hideErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await hideDataset(c.get('deps').db, c.get('actor').name, p.namespace, p.dataset));
  },
);

serve(
  deletionRoutes,
  declare({
    method: 'delete',
    path: '/namespaces/{namespace}/jobs/{job}',
    scope: 'write',
    summary: 'Soft-delete a job, as Marquez: hidden from every read until an event received afterwards names it; answers the job as it was',
    request: { params: z.object({ namespace, job: segment('job name (URL-encoded)') }) },
    responses: { 200: json(Job, 'the job hidden'), ...hideErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await hideJob(c.get('deps').db, c.get('actor').name, p.namespace, p.job));
  },
);

serve(
  deletionRoutes,
  declare({
    method: 'delete',
    path: '/namespaces/{namespace}',
    scope: 'write',
    summary:
      'Soft-delete a namespace and every dataset and job in it, as Marquez (still listed, with isHidden: true); answers the namespace as it was',
    request: { params: z.object({ namespace }) },
    responses: { 200: json(Namespace, 'the namespace hidden'), ...readErrors },
  }),
  async (c) => c.json(await hideNamespace(c.get('deps').db, c.get('actor').name, c.req.valid('param').namespace)),
);

serve(
  deletionRoutes,
  declare({
    method: 'post',
    path: '/admin/purge',
    scope: 'admin',
    summary:
      'Purge a dataset, a job or a namespace: its verbatim events, the runs they were about and everything derived from them, so that no replay brings it back (README: Deletion)',
    request: { body: { required: true, content: { 'application/json': { schema: PurgeRequest } } } },
    responses: {
      200: json(PurgeResult, 'what was removed and derived again'),
      ...readErrors,
      409: problem('model versions are linked to what would go (named); send force: true to purge anyway'),
    },
  }),
  async (c) => {
    const { force, ...target } = c.req.valid('json');
    return c.json(await purge(c.get('deps').db, c.get('actor').name, target, force ?? false));
  },
);

serve(
  deletionRoutes,
  declare({
    method: 'get',
    path: '/audit',
    scope: 'read',
    summary: "The audit log, newest first: the registry's changes and every deletion (hide, purge) with its actor and counts",
    request: {
      query: z.object({
        ...paging(),
        action: text('only this action (`dataset.hidden`, `namespace.purged`, `model.registered`, …)', 200),
        namespace: text('only the entries about this namespace (deletions)'),
      }),
    },
    responses: { 200: json(AuditLog, 'totalCount and the page of entries'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(await auditLog(c.get('deps').db, { action: q.action, namespace: q.namespace }, { limit: q.limit, offset: q.offset }));
  },
);
