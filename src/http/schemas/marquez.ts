import { z } from '@hono/zod-openapi';
import { anyObject, Deviation } from './common';

/**
 * Marquez's answer shapes (MarquezProject/marquez api/openapi.yml), as far as a client relies on them:
 * the identifying members are required, the rest is Marquez's and passes through. test/read-api.test.ts
 * also checks every answer over the corpus against Marquez's own document.
 */

const Id = z.object({ namespace: z.string(), name: z.string() });
const time = z.string().openapi({ format: 'date-time' });

export const Namespace = z
  .looseObject({
    name: z.string(),
    createdAt: time,
    updatedAt: time,
    isHidden: z.boolean().openapi({ description: 'soft-deleted (DELETE /namespaces/{namespace}), as Marquez answers it' }),
  })
  .openapi('Namespace');
export const Namespaces = z.looseObject({ namespaces: z.array(Namespace) }).openapi('NamespaceList');

export const Source = z.looseObject({ name: z.string(), type: z.string() }).openapi('Source');
export const Sources = z.looseObject({ sources: z.array(Source) }).openapi('SourceList');

export const Tag = z.looseObject({ name: z.string(), description: z.string().nullable().optional() }).openapi('Tag');
export const Tags = z.looseObject({ tags: z.array(Tag) }).openapi('TagList');

const Field = z.looseObject({ name: z.string(), type: z.string().nullable().optional(), tags: z.array(z.string()).optional() });

export const Dataset = z
  .looseObject({ id: Id, type: z.string(), name: z.string(), namespace: z.string(), fields: z.array(Field), tags: z.array(z.string()) })
  .openapi('Dataset');
export const Datasets = z
  .looseObject({ totalCount: z.number().int(), datasets: z.array(Dataset), nextCursor: z.string().nullable().optional() })
  .openapi('DatasetList');

export const DatasetVersion = z
  .looseObject({ id: Id.extend({ version: z.string() }), name: z.string(), namespace: z.string(), version: z.string() })
  .openapi('DatasetVersion');
export const DatasetVersions = z
  .looseObject({ totalCount: z.number().int(), versions: z.array(DatasetVersion) })
  .openapi('DatasetVersionList');

export const Run = z.looseObject({ id: z.string(), state: z.string(), createdAt: time }).openapi('Run');
export const Runs = z.looseObject({ runs: z.array(Run) }).openapi('RunList');
export const RunFacets = z.looseObject({ runId: z.string(), facets: anyObject }).openapi('RunFacets');

/** Pedigree extension: the runs naming a run as their parent, each with its job. */
export const ChildRuns = z
  .object({
    totalCount: z.number().int(),
    runs: z.array(
      z.object({
        id: z.string(),
        state: z.enum(['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'ABORTED']),
        createdAt: time,
        startedAt: time.nullable(),
        endedAt: time.nullable(),
        durationMs: z.number().int().nullable(),
        job: Id,
      }),
    ),
  })
  .openapi('ChildRuns');

export const Job = z
  .looseObject({ id: Id, type: z.string(), name: z.string(), namespace: z.string(), latestRun: z.union([Run, z.null()]).optional() })
  .openapi('Job');
export const Jobs = z
  .looseObject({ totalCount: z.number().int(), jobs: z.array(Job), nextCursor: z.string().nullable().optional() })
  .openapi('JobList');

export const JobVersion = z.looseObject({ id: Id.extend({ version: z.string() }), version: z.string() }).openapi('JobVersion');
export const JobVersions = z.looseObject({ versions: z.array(JobVersion) }).openapi('JobVersionList');

export const UpstreamRuns = z.looseObject({ runs: z.array(anyObject) }).openapi('UpstreamRunLineage');

export const LineageEvents = z
  .looseObject({
    events: z.array(anyObject),
    totalCount: z.number().int(),
    ingest: z
      .array(
        z.object({
          id: z.string().openapi({ description: "the event's stored id" }),
          receivedAt: time,
          warnings: z.array(Deviation),
        }),
      )
      .openapi({
        description:
          'Pedigree extension: for each item of `events`, in the same order, its stored id, when it was received and the warnings it was accepted with',
      }),
  })
  .openapi('LineageEvents');

export const SearchResults = z
  .looseObject({
    totalCount: z.number().int(),
    results: z.array(z.looseObject({ type: z.enum(['DATASET', 'JOB']), name: z.string(), namespace: z.string() })),
  })
  .openapi('SearchResults');

const interval = { startInterval: z.string(), endInterval: z.string() };

/** Cumulative counts of jobs, datasets or sources by the end of each interval. */
export const StatsBuckets = z.array(z.object({ ...interval, count: z.number().int() })).openapi('StatsBuckets');

/** Run events per interval, by type (the dashboard's chart). */
export const LineageEventBuckets = z
  .array(z.object({ ...interval, fail: z.number().int(), start: z.number().int(), complete: z.number().int(), abort: z.number().int() }))
  .openapi('LineageEventBuckets');
