import { type SQL, sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { textArray } from '../db/sql';

/**
 * Recomputes the job version of the given runs from everything stored about them: the job, the run's
 * latest code hash and the union of the IO of all its events (inputs often come on START, outputs on
 * COMPLETE, in any order). Same formula as jobVersionOf in src/ids.ts. A version no run uses any more
 * (the run moved on once its other events arrived) is removed, so the result is what one event carrying
 * everything would have produced. Rows are touched in key order, after the runs and jobs this
 * transaction already locked, which keeps the global lock order.
 *
 * Every statement takes text arrays as parameters (the one array type both drivers serialize), so its text never changes (prepared once per connection)
 * and the planner sees a handful of rows, not an unanalyzed temporary table.
 */
export async function refreshJobVersions(query: Query, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  const computed = (await query(computeVersions([...new Set(runIds)].sort()))) as {
    run_id: string;
    job_id: string;
    old_id: string | null;
    version: string;
    version_id: string;
    t: string;
  }[];
  if (computed.length === 0) return;
  // Runs whose version did not change (most events of a run add nothing to its IO or code) need no
  // new version, IO or reassignment; their times may still have moved.
  const changed = computed.filter((r) => r.old_id !== r.version_id);
  const col = <K extends keyof (typeof computed)[number]>(list: typeof computed, k: K) => list.map((r) => r[k]);
  const versionIds = col(changed, 'version_id');
  const oldIds = [...new Set(changed.filter((r) => r.old_id).map((r) => r.old_id!))].sort();
  const statements: Promise<unknown>[] = [];
  if (changed.length) {
    const runs = col(changed, 'run_id');
    statements.push(
      query(insertVersions(versionIds, col(changed, 'job_id'), col(changed, 'version'), col(changed, 't'))),
      query(insertVersionIo(runs, versionIds)),
      query(updateRuns(runs, versionIds)),
    );
  }
  statements.push(
    query(updateVersionTimes([...new Set(col(computed, 'version_id'))].sort())),
    query(updateJobs([...new Set(col(computed, 'job_id'))].sort())),
  );
  if (oldIds.length) statements.push(query(deleteOrphans(oldIds)), query(deleteOrphanIo(oldIds)));
  await Promise.all(statements);
}

const computeVersions = (a: readonly string[]): SQL => sql`
  select v.run_id, v.job_id, v.old_id, v.version, v.t::text as t, md5(v.job_id::text || ':' || v.version::text)::uuid as version_id
  from (
    select r.id as run_id, r.job_id, r.job_version_id as old_id, r.created_at as t,
      md5(r.job_id::text || '|' || coalesce(r.code_hash, '') || '|' || coalesce((
        select string_agg(io.direction || ':' || io.dataset_id::text, ',' order by io.direction || ':' || io.dataset_id::text collate "C")
        from run_io io where io.run_id = r.id), ''))::uuid as version
    from runs r where r.id = any(${textArray(a)}::uuid[])
  ) v
  order by v.run_id`;

const insertVersions = (a: readonly string[], b: readonly string[], c: readonly string[], d: readonly string[]): SQL => sql`
  insert into job_versions (id, job_id, version, declared, created_at, updated_at)
  select distinct on (v.id) v.id, v.job_id, v.version, false, v.t, v.t
  from unnest(${textArray(a)}::uuid[], ${textArray(b)}::uuid[], ${textArray(c)}::uuid[], ${textArray(d)}::timestamptz[]) as v(id, job_id, version, t)
  order by v.id
  on conflict (id) do nothing`;

const insertVersionIo = (a: readonly string[], b: readonly string[]): SQL => sql`
  insert into job_version_io (job_version_id, direction, dataset_id)
  select distinct v.version_id, io.direction, io.dataset_id
  from unnest(${textArray(a)}::uuid[], ${textArray(b)}::uuid[]) as v(run_id, version_id) join run_io io on io.run_id = v.run_id
  order by 1, 2, 3
  on conflict do nothing`;

const updateRuns = (a: readonly string[], b: readonly string[]): SQL => sql`
  update runs set job_version_id = v.version_id
  from unnest(${textArray(a)}::uuid[], ${textArray(b)}::uuid[]) as v(run_id, version_id)
  where runs.id = v.run_id and runs.job_version_id is distinct from v.version_id`;

/**
 * A run version's times are its runs' first and last: recomputed, because a run's first event time moves
 * earlier when a late START arrives, and runs move between versions as their IO fills in.
 */
export const updateVersionTimes = (a: readonly string[]): SQL => sql`
  update job_versions jv set created_at = s.lo, updated_at = s.hi
  from (
    select v.id,
      (select min(r.created_at) from runs r where r.job_version_id = v.id) as lo,
      (select max(r.created_at) from runs r where r.job_version_id = v.id) as hi
    from unnest(${textArray(a)}::uuid[]) as v(id)
  ) s
  where jv.id = s.id and not jv.declared and s.lo is not null
    and (jv.created_at, jv.updated_at) is distinct from (s.lo, s.hi)`;

/**
 * The run whose version is job `job`'s current one: its latest finished run (by first event time, then run
 * id), else its latest run, among those with a version. A run in progress has often sent only its inputs,
 * and the job's outputs must not vanish from the graph until it completes. With `asOf`, as it was then:
 * among the runs begun by then, the latest finished by then.
 * `columns` of `runs r`. Two probes of the job's runs newest first (runs_job_idx), the second only when the
 * first finds nothing: one sort with the finished runs first read every run the job ever had, 21-28 ms a
 * batch for a job of 5,000 runs (0.2 ms probed), and normalization slowed as the job's history grew.
 */
export const versionRun = (job: SQL, columns: SQL, asOf?: string): SQL => {
  const begun = asOf === undefined ? sql`` : sql` and r.created_at <= ${asOf}::timestamptz`;
  const finished = asOf === undefined ? sql`r.state_terminal` : sql`r.state_terminal and r.ended_at <= ${asOf}::timestamptz`;
  const newest = sql`order by r.created_at desc, r.id desc limit 1`;
  return sql`(select ${columns} from runs r where r.job_id = ${job} and r.job_version_id is not null${begun} and ${finished} ${newest})
    union all (select ${columns} from runs r where r.job_id = ${job} and r.job_version_id is not null${begun} ${newest})
    limit 1`;
};

/** Each job's current version: its version run's (versionRun), unless a later declared one stands. */
const updateJobs = (a: readonly string[]): SQL => sql`
  update jobs set current_version_id = latest.job_version_id, current_version_time = latest.created_at
  from unnest(${textArray(a)}::uuid[]) as j(id)
  cross join lateral (${versionRun(sql`j.id`, sql`r.job_version_id, r.created_at`)}) latest
  where jobs.id = j.id
    and (jobs.current_version_id, jobs.current_version_time) is distinct from (latest.job_version_id, latest.created_at)
    -- A JobEvent's declared version stays current until a run starts after it, whatever arrives first.
    and not exists (
      select 1 from job_versions d
      where d.id = jobs.current_version_id and d.declared and jobs.current_version_time > latest.created_at)`;

// A version is only ever its own job's current one: looked up by the job's key, not by scanning every job
// for the version (jobs.current_version_id has no index; the scan grew with the store, 45 ms a batch at 100k jobs).
const deleteOrphans = (a: readonly string[]): SQL => sql`
  delete from job_versions jv using unnest(${textArray(a)}::uuid[]) as o(id)
  where jv.id = o.id and not jv.declared
    and not exists (select 1 from runs r where r.job_version_id = jv.id)
    and not exists (select 1 from jobs j where j.id = jv.job_id and j.current_version_id = jv.id)`;

const deleteOrphanIo = (a: readonly string[]): SQL => sql`
  delete from job_version_io io using unnest(${textArray(a)}::uuid[]) as o(id)
  where io.job_version_id = o.id and not exists (select 1 from job_versions jv where jv.id = o.id)`;

/**
 * Marks which edges of the given jobs are in their current version (job_io.current), after the versions
 * moved: the lineage walk then reads job_io alone. A job without a current version keeps every edge seen.
 * Only rows whose flag changes are written.
 */
export async function refreshCurrentEdges(query: Query, jobIds: string[]): Promise<void> {
  if (jobIds.length) await query(currentEdgesOf([...new Set(jobIds)].sort()));
}

const currentEdgesOf = (a: readonly string[]): SQL => sql`
  update job_io e set current = x.current
  from (
    select e.id, j.current_version_id is null or exists (
        select 1 from job_version_io v
        where v.job_version_id = j.current_version_id and v.direction = e.direction and v.dataset_id = e.dataset_id) as current
    from unnest(${textArray(a)}::uuid[]) as t(id) join jobs j on j.id = t.id join job_io e on e.job_id = j.id
  ) x
  where e.id = x.id and e.current is distinct from x.current`;
