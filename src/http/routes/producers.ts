import { z } from '@hono/zod-openapi';
import { listProducers, producerReport } from '../../read/producers';
import { declare, router, serve } from '../declare';
import { json, problem, readErrors } from '../schemas/common';
import { integer, requiredText } from '../schemas/params';
import { ProducerReport, Producers } from '../schemas/producers';

/** The producers' conformance report: who sends what, with which warnings, and what was refused. */
export const producerRoutes = router();

serve(
  producerRoutes,
  declare({
    method: 'get',
    path: '/producers',
    scope: 'read',
    summary: 'Every producer seen, with its events, those with warnings and those rejected; the most recently seen first',
    responses: { 200: json(Producers, 'the producers') },
  }),
  async (c) => c.json(await listProducers(c.get('deps').db)),
);

serve(
  producerRoutes,
  declare({
    method: 'get',
    path: '/producers/report',
    scope: 'read',
    summary: "A producer's conformance: its warnings grouped by pointer and message, and its rejected events",
    request: {
      query: z.object({
        producer: requiredText('the producer URI, as its events send it'),
        // Each rejection carries up to 64 KiB of text: pages are smaller than the other listings'.
        limit: integer('rejections listed, newest first', 20, 0, 100),
        offset: integer('rejections skipped', 0, 0),
      }),
    },
    responses: {
      200: json(ProducerReport, 'the report'),
      400: readErrors[400],
      404: problem('no event of this producer was stored or rejected'),
    },
  }),
  async (c) => {
    const { producer, limit, offset } = c.req.valid('query');
    return c.json(await producerReport(c.get('deps').db, producer, { limit, offset }));
  },
);
