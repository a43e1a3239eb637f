import { z } from '@hono/zod-openapi';
import { requeue } from '../../ingest/queue';
import { listFailedEvents } from '../../read/failed-events';
import { declare, router, serve } from '../declare';
import { json, readErrors } from '../schemas/common';
import { integer } from '../schemas/params';

/** Normalization behind acceptance (src/ingest/normalizer.ts): the events it set aside, and their retry. */
export const normalizationRoutes = router();

const FailedEvents = z
  .object({
    failed: z.array(
      z.object({
        id: z.string().openapi({ format: 'uuid', description: 'the stored event' }),
        error: z
          .string()
          .openapi({ description: "why normalizing it failed: the database's message and SQLSTATE, or what is not understood" }),
        failedAt: z.string().openapi({ format: 'date-time' }),
        attempts: z.number().int().openapi({ description: 'failures so far (each retry that fails adds one)' }),
        retrying: z.boolean().openapi({ description: 'queued again, not yet normalized' }),
        receivedAt: z.string().openapi({ format: 'date-time' }),
        kind: z.enum(['run', 'dataset', 'job']),
        eventType: z.string().nullable(),
        eventTime: z.string().openapi({ format: 'date-time' }),
        runId: z.string().nullable(),
        producer: z.string().nullable(),
      }),
    ),
    totalCount: z.number().int(),
  })
  .openapi('FailedEvents');

serve(
  normalizationRoutes,
  declare({
    method: 'get',
    path: '/events/failed',
    scope: 'read',
    summary: 'Accepted events whose normalization failed, set aside with their error; the latest failure first',
    description:
      'Each is stored verbatim (GET /api/v1/events/lineage?runId= reads a RunEvent back) and left out of the normalized tables; it blocks no other event. `pedigree replay`, or POST /api/v1/events/failed/retry, normalizes them again.',
    request: {
      query: z.object({ limit: integer('page size', 100, 0, 1000), offset: integer('rows skipped', 0, 0) }),
    },
    responses: { 200: json(FailedEvents, 'the events set aside'), 400: readErrors[400] },
  }),
  async (c) => {
    const { limit, offset } = c.req.valid('query');
    return c.json(await listFailedEvents(c.get('deps').db, { limit, offset }));
  },
);

serve(
  normalizationRoutes,
  declare({
    method: 'post',
    path: '/events/failed/retry',
    scope: 'admin',
    summary: 'Queues the events set aside for normalization again (after a fix); each stays listed until it is normalized',
    responses: {
      202: json(z.object({ queued: z.number().int().openapi({ description: 'events queued again' }) }).openapi('RetryQueued'), 'queued'),
    },
  }),
  async (c) => {
    const { db, normalizer } = c.get('deps');
    const queued = await requeue(db, 'failed');
    normalizer.wake();
    return c.json({ queued }, 202);
  },
);
