import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { refreshDocuments } from '../read/documents';
import { LATEST_RUNS } from '../read/json';
import type { EventPlan } from './plan';
import type { Row } from './plan/event-plan';

/**
 * Keeps the read models (src/read/documents.ts) what a batch of events makes them, once its rows, job
 * versions and edges are written, in the batch's transaction: for the callers whose transaction must show
 * its events when it commits (storePlans). The normalizer marks them stale instead (stale-documents.ts).
 */
export async function refreshReadModels(query: Query, plans: EventPlan[]): Promise<void> {
  const { changedRuns, ...touched } = await touchedBy(query, plans);
  await refreshDocuments(query, { ...touched, changedRuns: changedRuns.map((r) => r.id) });
}

/** What a batch changes (touchedBy): the jobs and datasets whose documents, and the runs (with their job) whose JSON. */
export interface Changed {
  jobs: string[];
  datasets: string[];
  changedRuns: { id: string; job_id: string }[];
}

/**
 * The documents a batch of events changes: of every job and dataset the events name, and of the jobs whose
 * recent runs read a dataset the batch gave a version to. Those show, for each input, the version the run
 * read, which is resolved when built: a named version, else the latest written before the run started, and
 * either may be one that arrived only now (events come in any order). Of their runs, only the batch's and
 * those readers' changed.
 */
export async function touchedBy(query: Query, plans: EventPlan[]): Promise<Changed> {
  return changedBy(plans, await readersAfter(query, plans));
}

/** The recent runs (with their job) that read a dataset these events gave a version to (see readersOf). */
export async function readersAfter(query: Query, plans: EventPlan[]): Promise<Reader[]> {
  const versions = plans.flatMap((p) => p.datasetVersions.map((v) => v.id));
  return versions.length ? await query<Reader>(readersOf(versions)) : [];
}

type Reader = Changed['changedRuns'][number];

/** touchedBy, the readers given (those of these events' versions, or of more). */
export function changedBy(plans: EventPlan[], readers: Reader[]): Changed {
  const all = <K extends Exclude<keyof EventPlan, 'event'>>(key: K): Row<K>[] => plans.flatMap((p) => p[key] as Row<K>[]);
  const runs = [...all('runs').map((r) => ({ id: r.id, job_id: r.jobId })), ...readers];
  return {
    jobs: [...new Set([...all('jobs').map((j) => j.id), ...runs.map((r) => r.job_id)])],
    changedRuns: runs,
    datasets: [
      ...new Set([
        ...all('datasets').map((d) => d.id),
        ...all('datasetVersions').map((v) => v.datasetId),
        ...all('columnLineage').map((c) => c.outputDatasetId),
      ]),
    ],
  };
}

/**
 * The runs (and their jobs) that read the dataset of one of `versionIds` and may now resolve that input to
 * another version: it names a version (the one named may be this one), or it started at or after this
 * version was written. Only runs a document shows matter (each job's latest, jobJson's latestRuns), so
 * they are looked for there, from the jobs that read the dataset: a popular dataset's every reader since
 * the beginning would make each new version cost more than the last.
 *
 * The candidate runs are materialized before their inputs are checked so that each check is one probe of
 * run_io by (run, direction, dataset). Inline, the planner may check them by dataset instead, reading every
 * run that ever read it for each candidate: on a store whose statistics come from many small datasets
 * (the 1M-edge graph), a busy dataset then cost 80k buffer reads a batch instead of 5k (23 → 5 ms).
 */
const readersOf = (versionIds: string[]) => sql`
  with v as materialized (
    select dataset_id, min(created_at) as created_at from dataset_versions
    where id = any(${uuidArray([...new Set(versionIds)].sort())}) group by dataset_id),
  candidate as materialized (
    select r.id, r.job_id, r.began, v.dataset_id, v.created_at as version_created_at
    from v
    join job_io e on e.dataset_id = v.dataset_id and e.direction = 'in'
    cross join lateral (select lr.id, lr.job_id, coalesce(lr.started_at, lr.created_at) as began from runs lr
      where lr.job_id = e.job_id order by lr.created_at desc, lr.id desc limit ${LATEST_RUNS}) r)
  select distinct c.id, c.job_id
  from candidate c
  where exists (select from run_io io where io.run_id = c.id and io.direction = 'in' and io.dataset_id = c.dataset_id
    and (io.version_key is not null or c.began >= c.version_created_at))`;
