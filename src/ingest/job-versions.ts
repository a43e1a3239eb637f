import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client';

/**
 * Recomputes the job version of the given runs from everything stored about them: the job, the run's
 * latest code hash and the union of the IO of all its events (inputs often come on START, outputs on
 * COMPLETE, in any order). Same formula as jobVersionOf in src/ids.ts. A version no run uses any more
 * (the run moved on once its other events arrived) is removed, so the result is what one event carrying
 * everything would have produced. Rows are touched in key order, after the runs and jobs this
 * transaction already locked, which keeps the global lock order.
 */
export function refreshJobVersions(tx: Tx, runIds: string[]): Promise<unknown>[] {
  if (runIds.length === 0) return [];
  const list = sql.join([...new Set(runIds)].sort().map((id) => sql`${id}::uuid`), sql`, `);
  // Issued together (see upsert): they run in this order on the transaction's connection.
  return [
    tx.execute(sql`
      create temp table if not exists pedigree_run_versions (
        run_id uuid primary key, job_id uuid not null, old_id uuid, version uuid not null, version_id uuid not null, t timestamptz not null
      ) on commit delete rows`),
    tx.execute(sql`
      insert into pedigree_run_versions (run_id, job_id, old_id, version, t, version_id)
      select v.run_id, v.job_id, v.old_id, v.version, v.t, md5(v.job_id::text || ':' || v.version::text)::uuid
      from (
        select r.id as run_id, r.job_id, r.job_version_id as old_id, r.created_at as t,
          md5(r.job_id::text || '|' || coalesce(r.code_hash, '') || '|' || coalesce((
            select string_agg(io.direction || ':' || io.dataset_id::text, ',' order by io.direction || ':' || io.dataset_id::text collate "C")
            from run_io io where io.run_id = r.id), ''))::uuid as version
        from runs r where r.id in (${list})
      ) v`),
    tx.execute(sql`
      insert into job_versions (id, job_id, version, declared, created_at, updated_at)
      select distinct on (version_id) version_id, job_id, version, false, t, t from pedigree_run_versions
      order by version_id
      on conflict (id) do nothing`),
    tx.execute(sql`
      insert into job_version_io (job_version_id, direction, dataset_id)
      select distinct v.version_id, io.direction, io.dataset_id from pedigree_run_versions v join run_io io on io.run_id = v.run_id
      order by 1, 2, 3
      on conflict do nothing`),
    tx.execute(sql`
      update runs set job_version_id = v.version_id from pedigree_run_versions v
      where runs.id = v.run_id and runs.job_version_id is distinct from v.version_id`),
    // A run version's times are its runs' first and last (recomputed: a run's first event time moves
    // earlier when a late START arrives, and runs move between versions as their IO fills in).
    tx.execute(sql`
      update job_versions jv set created_at = s.lo, updated_at = s.hi
      from (
        select v.id,
          (select min(r.created_at) from runs r where r.job_version_id = v.id) as lo,
          (select max(r.created_at) from runs r where r.job_version_id = v.id) as hi
        from (select distinct version_id as id from pedigree_run_versions) v
      ) s
      where jv.id = s.id and not jv.declared and s.lo is not null
        and (jv.created_at, jv.updated_at) is distinct from (s.lo, s.hi)`),
    // A job's current version is its latest run's (latest by first event time, then run id): recomputed, not
    // compared, because a run's first event time can move earlier when a late START arrives.
    tx.execute(sql`
      update jobs set current_version_id = latest.job_version_id, current_version_time = latest.created_at
      from (select distinct job_id from pedigree_run_versions) j
      cross join lateral (
        select r.job_version_id, r.created_at from runs r
        where r.job_id = j.job_id and r.job_version_id is not null order by r.created_at desc, r.id desc limit 1
      ) latest
      where jobs.id = j.job_id
        and (jobs.current_version_id, jobs.current_version_time) is distinct from (latest.job_version_id, latest.created_at)`),
    tx.execute(sql`
      delete from job_versions jv using (select distinct old_id from pedigree_run_versions where old_id is not null and old_id <> version_id) o
      where jv.id = o.old_id and not jv.declared
        and not exists (select 1 from runs r where r.job_version_id = jv.id)
        and not exists (select 1 from jobs j where j.current_version_id = jv.id)`),
    tx.execute(sql`
      delete from job_version_io io where not exists (select 1 from job_versions jv where jv.id = io.job_version_id)
        and io.job_version_id in (select old_id from pedigree_run_versions where old_id is not null)`),
  ];
}
