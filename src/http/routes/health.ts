import { z } from '@hono/zod-openapi';
import { declare, router, serve } from '../declare';
import { refreshBacklog } from '../metrics';
import { databaseUnavailable } from '../problem';
import { json, problem } from '../schemas/common';

export const healthRoutes = router();

serve(
  healthRoutes,
  declare({
    method: 'get',
    path: '/healthcheck',
    scope: 'public',
    summary: 'Liveness and database check, how far normalization is behind, and what it set aside',
    responses: {
      200: json(
        z.object({
          status: z.literal('ok'),
          normalization: z
            .object({
              lagSeconds: z.number().openapi({
                description:
                  'from receipt to normalization: of the last batch normalized, or of the oldest event waiting when that is more',
              }),
              backlog: z.number().int().openapi({
                description:
                  'events accepted and not yet normalized: counted to 100,000; beyond, the span of the queue (a little high, never low)',
              }),
              failed: z.number().int().openapi({
                description:
                  'events set aside because their normalization failed, and not normalized since (counted to 100,000): GET /api/v1/events/failed lists them, `pedigree replay --failed` or POST /api/v1/events/failed/retry retries them',
              }),
            })
            .openapi({
              description:
                'the backlog and the events set aside of every instance; the lag as this instance last saw it (also exported at GET /metrics)',
            }),
        }),
        'the database answers',
      ),
      503: problem('the database cannot be reached (Retry-After is set)'),
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    try {
      // Reading the queue is the database check.
      await refreshBacklog(deps);
    } catch {
      throw databaseUnavailable();
    }
    return c.json({ status: 'ok' as const, normalization: deps.metrics.normalization.current() });
  },
);
