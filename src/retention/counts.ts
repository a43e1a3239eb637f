/** What a retention pass deletes (or, dry, would delete), by kind: exact counts of rows. */
export interface RetentionCounts {
  runs: number;
  runIo: number;
  datasetVersions: number;
  jobVersions: number;
  jobVersionIo: number;
  /** Facet rows of the runs deleted (of the run, its view of its job, its edges, the versions it wrote). */
  facets: number;
  /** Facet contents no facet references any more (left by the facets deleted, or replaced before). */
  facetValues: number;
  /** Verbatim events, by kind (RunEvents, DatasetEvents, JobEvents), those of the months dropped whole included. */
  events: { run: number; dataset: number; job: number };
}

export const noCounts = (): RetentionCounts => ({
  runs: 0,
  runIo: 0,
  datasetVersions: 0,
  jobVersions: 0,
  jobVersionIo: 0,
  facets: 0,
  facetValues: 0,
  events: { run: 0, dataset: 0, job: 0 },
});

/** Some of the counts (one chunk's). */
export type CountsDelta = Partial<Omit<RetentionCounts, 'events'>> & { events?: Partial<RetentionCounts['events']> };

/** Adds `more` into `into` (counts of one chunk into the pass's). */
export function addCounts(into: RetentionCounts, more: CountsDelta) {
  for (const key of ['runs', 'runIo', 'datasetVersions', 'jobVersions', 'jobVersionIo', 'facets', 'facetValues'] as const) {
    into[key] += more[key] ?? 0;
  }
  for (const kind of ['run', 'dataset', 'job'] as const) into.events[kind] += more.events?.[kind] ?? 0;
}
