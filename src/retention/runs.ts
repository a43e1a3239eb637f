import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { updateVersionTimes } from '../ingest/job-versions';
import { refreshDocuments } from '../read/documents';
import type { CountsDelta } from './counts';
import { stillDoomed } from './doomed';

const n = (rows: { n: number | string }[]) => Number(rows[0]?.n ?? 0);

/**
 * Deletes one chunk of the pass's doomed runs (doomed.ts), in the caller's transaction, with everything
 * they own; returns what went. The runs are locked first and checked again (stillDoomed); a run another
 * transaction holds (being normalized) is skipped: SKIP LOCKED, the pass never waits on ingest, and the
 * run stays for the next pass. Then, in this order: their facets, IO, dataset versions, rows and events;
 * the job versions no run uses any more (unless declared by a JobEvent or current: job-versions.ts
 * deleteOrphans), and the times of those that remain (their runs' span, as job-versions.ts computes
 * them); the documents of the jobs and datasets they showed.
 */
export async function deleteRunChunk(query: Query, ids: readonly string[], cutoff: string): Promise<CountsDelta> {
  const locked = await query<{ id: string; job_id: string; job_version_id: string | null }>(sql`
    select r.id, r.job_id, r.job_version_id from runs r
    where r.id = any(${uuidArray(ids)}) and ${stillDoomed('r', cutoff)}
    order by r.id for update of r skip locked`);
  if (locked.length === 0) return {};
  const runs = uuidArray(locked.map((r) => r.id));
  const count = (statement: ReturnType<typeof sql>) =>
    query<{ n: number | string }>(sql`with d as (${statement}) select count(*) as n from d`);
  const [facets, runIo, versions, deletedRuns, events] = await Promise.all([
    count(sql`delete from facets where run_id = any(${runs}) and owner_kind <> 'job' returning 1`),
    count(sql`delete from run_io where run_id = any(${runs}) returning 1`),
    query<{ dataset_id: string }>(sql`delete from dataset_versions where run_id = any(${runs}) returning dataset_id`),
    count(sql`delete from runs where id = any(${runs}) returning 1`),
    // Every event of these runs is older than the cutoff (their updated_at is): the bound prunes the
    // partitions of later months.
    count(sql`delete from lineage_events where run_id = any(${runs}) and kind = 'run' and event_time < ${cutoff}::timestamptz returning 1`),
  ]);
  const candidates = [...new Set(locked.flatMap((r) => (r.job_version_id ? [r.job_version_id] : [])))].sort();
  let jobVersions = 0;
  let jobVersionIo = 0;
  if (candidates.length) {
    const gone = await query<{ id: string }>(sql`
      delete from job_versions jv where jv.id = any(${uuidArray(candidates)}) and not jv.declared
        and not exists (select 1 from runs r where r.job_version_id = jv.id)
        and not exists (select 1 from jobs j where j.id = jv.job_id and j.current_version_id = jv.id)
      returning jv.id`);
    jobVersions = gone.length;
    if (gone.length) {
      jobVersionIo = n(
        await count(sql`delete from job_version_io where job_version_id = any(${uuidArray(gone.map((g) => g.id))}) returning 1`),
      );
    }
    await query(updateVersionTimes(candidates));
  }
  // The jobs whose documents showed these runs, and those whose runs read a dataset that lost a version
  // (an input without a named version resolves to the latest written before the run started).
  const datasets = [...new Set(versions.map((v) => v.dataset_id))].sort();
  const readers = datasets.length
    ? await query<{ job_id: string }>(sql`select distinct r.job_id from run_io io join runs r on r.id = io.run_id
        where io.dataset_id = any(${uuidArray(datasets)}) and io.direction = 'in'`)
    : [];
  await refreshDocuments(query, { jobs: [...locked.map((r) => r.job_id), ...readers.map((r) => r.job_id)], datasets });
  return {
    runs: n(deletedRuns),
    runIo: n(runIo),
    datasetVersions: versions.length,
    jobVersions,
    jobVersionIo,
    facets: n(facets),
    events: { run: n(events) },
  };
}

/**
 * What deleting every doomed run of the list would delete, counted exactly (a dry run): the same set as
 * the chunks delete (each run checked by stillDoomed), and what goes with it. Events already gone with
 * the months dropped whole are not there to count, so a dry run counts them here and drops nothing.
 */
export async function countRuns(query: Query, cutoff: string): Promise<CountsDelta> {
  const [row] = await query<Record<string, number | string>>(sql`
    with d as materialized (
      select r.id, r.job_version_id from runs r join retention_doomed_runs x on x.run_id = r.id where ${stillDoomed('r', cutoff)}
    ), jv as materialized (
      select jv.id from job_versions jv where jv.id in (select job_version_id from d) and not jv.declared
        and not exists (select 1 from runs r where r.job_version_id = jv.id and r.id not in (select id from d))
        and not exists (select 1 from jobs j where j.id = jv.job_id and j.current_version_id = jv.id)
    )
    select
      (select count(*) from d) as runs,
      (select count(*) from run_io where run_id in (select id from d)) as run_io,
      (select count(*) from dataset_versions where run_id in (select id from d)) as dataset_versions,
      (select count(*) from jv) as job_versions,
      (select count(*) from job_version_io where job_version_id in (select id from jv)) as job_version_io,
      (select count(*) from facets where run_id in (select id from d) and owner_kind <> 'job') as facets,
      (select count(*) from lineage_events where run_id in (select id from d) and kind = 'run' and event_time < ${cutoff}::timestamptz) as events`);
  const r = row!;
  return {
    runs: Number(r.runs),
    runIo: Number(r.run_io),
    datasetVersions: Number(r.dataset_versions),
    jobVersions: Number(r.job_versions),
    jobVersionIo: Number(r.job_version_io),
    facets: Number(r.facets),
    events: { run: Number(r.events) },
  };
}
