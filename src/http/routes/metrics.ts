import { z } from '@hono/zod-openapi';
import { declare, router, serve } from '../declare';
import { refreshBacklog } from '../metrics';
import { problem } from '../schemas/common';

export const metricsRoutes = router();

serve(
  metricsRoutes,
  declare({
    method: 'get',
    path: '/metrics',
    // The default; with PEDIGREE_METRICS_PUBLIC no key at all (app.ts: metricsAccess).
    scope: 'read',
    summary: 'Metrics, in Prometheus text format 0.0.4',
    description:
      'Accepted and rejected events (by producer, kind and reason), request durations by route template, write batches, normalization batches, lag, backlog and the events it set aside, the database pool, and on Node the process. Needs a key with the `read` scope when keys are configured, unless PEDIGREE_METRICS_PUBLIC=true.',
    responses: {
      200: {
        description: 'the exposition',
        content: { 'text/plain; version=0.0.4': { schema: z.string() } },
      },
      401: problem('a missing or unknown API key (when keys are configured and PEDIGREE_METRICS_PUBLIC is not set)'),
      403: problem('the key lacks the read scope'),
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { metrics } = deps;
    // A scrape while the database is away still answers, with the backlog last seen.
    await refreshBacklog(deps).catch(() => {});
    return c.body(await metrics.text(), 200, { 'content-type': metrics.contentType });
  },
);
