import type * as s from '../../db/schema';

type Insert<T extends { $inferInsert: unknown }> = T['$inferInsert'];

/** Every row one event contributes to the normalized model. Built without touching the database. */
export interface EventPlan {
  event: Insert<typeof s.lineageEvents>;
  namespaces: Insert<typeof s.namespaces>[];
  sources: Insert<typeof s.sources>[];
  datasets: Insert<typeof s.datasets>[];
  datasetVersions: Insert<typeof s.datasetVersions>[];
  datasetFields: Insert<typeof s.datasetFields>[];
  datasetSymlinks: Insert<typeof s.datasetSymlinks>[];
  columnLineage: Insert<typeof s.columnLineage>[];
  jobs: Insert<typeof s.jobs>[];
  jobVersions: Insert<typeof s.jobVersions>[];
  jobVersionIo: Insert<typeof s.jobVersionIo>[];
  jobIo: Insert<typeof s.jobIo>[];
  runs: Insert<typeof s.runs>[];
  runIo: Insert<typeof s.runIo>[];
  /** The contents of the event's facets, each once; `facets` reference them. */
  facetValues: Insert<typeof s.facetValues>[];
  facets: Insert<typeof s.facets>[];
  /** Runs whose job version must be recomputed once this event is written. */
  versionRuns: { runId: string; runJobId: string }[];
}

/** One row of a table of the plan (`Row<'datasets'>` is a dataset row). */
export type Row<K extends Exclude<keyof EventPlan, 'event'>> = EventPlan[K][number];

/**
 * When the event happened and which event said it: every row carries some of it, so that merges of rows
 * many events share stay order-independent (see rules.ts). `span` and `latest` are spread into rows.
 */
export interface Stamp {
  time: string;
  /** The stored event's id (from its content hash): breaks ties between events with the same time. */
  eventId: string;
  span: { createdAt: string; updatedAt: string };
  latest: { latestTime: string; latestEventId: string };
}

export function stampOf(time: string, eventId: string): Stamp {
  return { time, eventId, span: { createdAt: time, updatedAt: time }, latest: { latestTime: time, latestEventId: eventId } };
}
