import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { refreshDocuments } from '../read/documents';
import type { EventPlan } from './plan';
import type { Row } from './plan/event-plan';

/**
 * Keeps the read models (src/read/documents.ts) what a batch of events makes them, once its rows, job
 * versions and edges are written: the documents of every job and dataset the events name, and of the jobs
 * whose recent runs read a dataset the batch gave a version to. Those show, for each input, the version
 * the run read, which is resolved when built: a named version, else the latest written before the run
 * started, and either may be one that arrived only now (events come in any order).
 */
export async function refreshReadModels(query: Query, plans: EventPlan[]): Promise<void> {
  const all = <K extends Exclude<keyof EventPlan, 'event'>>(key: K): Row<K>[] => plans.flatMap((p) => p[key] as Row<K>[]);
  const versions = all('datasetVersions').map((v) => v.id);
  const readers = versions.length ? (await query<{ job_id: string }>(readersOf(versions))).map((r) => r.job_id) : [];
  await refreshDocuments(query, {
    jobs: [...all('jobs').map((j) => j.id), ...all('runs').map((r) => r.jobId), ...readers],
    datasets: [
      ...all('datasets').map((d) => d.id),
      ...all('datasetVersions').map((v) => v.datasetId),
      ...all('columnLineage').map((c) => c.outputDatasetId),
    ],
  });
}

/**
 * The jobs with a run that read the dataset of one of `versionIds` and may now resolve that input to
 * another version: it names a version (the one named may be this one), or it started at or after this
 * version was written.
 */
const readersOf = (versionIds: string[]) => sql`
  select distinct r.job_id from dataset_versions v
  join run_io io on io.dataset_id = v.dataset_id and io.direction = 'in'
  join runs r on r.id = io.run_id
  where v.id = any(${uuidArray([...new Set(versionIds)].sort())})
    and (io.version_key is not null or coalesce(r.started_at, r.created_at) >= v.created_at)`;
