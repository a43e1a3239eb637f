import { z } from '@hono/zod-openapi';
import { AuditRecord } from './models';

const Entity = z.object({ kind: z.enum(['dataset', 'job']), namespace: z.string(), name: z.string() });

export const PurgeRequest = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.enum(['dataset', 'job']),
      namespace: z.string().min(1).openapi({ description: 'the namespace of the dataset or job' }),
      name: z.string().min(1),
      force: z.boolean().optional().openapi({ description: 'purge even when model versions are linked to what goes (409 otherwise)' }),
    }),
    z.object({
      kind: z.literal('namespace'),
      namespace: z.string().min(1),
      force: z.boolean().optional().openapi({ description: 'purge even when model versions are linked to what goes (409 otherwise)' }),
    }),
  ])
  .openapi('PurgeRequest');

export const PurgeResult = z
  .object({
    purged: z.union([Entity, z.object({ kind: z.literal('namespace'), namespace: z.string() })]),
    removed: z
      .object({
        events: z.number().int(),
        runs: z.number().int(),
        datasets: z.number().int(),
        jobs: z.number().int(),
        namespaces: z.number().int(),
        datasetVersions: z.number().int(),
      })
      .openapi({
        description:
          'the events naming the target and every event of the runs they were about, those runs, the target (a namespace: all it held), the namespaces left empty, the versions of the target and those the runs wrote',
      }),
    rederived: z
      .object({
        events: z.number().int(),
        datasets: z.number().int(),
        jobs: z.number().int(),
        vanished: z.array(Entity),
      })
      .openapi({
        description:
          'the other datasets and jobs those events named, derived again from their remaining events; `vanished`: named by none any more',
      }),
    modelVersions: z
      .array(z.object({ name: z.string(), version: z.number().int() }))
      .openapi({ description: 'model versions linked to what went (with force): their links were recomputed' }),
  })
  .openapi('PurgeResult');

export const AuditLog = z
  .object({ totalCount: z.number().int(), entries: z.array(AuditRecord).openapi({ description: 'newest first' }) })
  .openapi('AuditLog');
