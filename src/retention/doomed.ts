import { type SQL, sql } from 'drizzle-orm';
import { versionRun } from '../ingest/job-versions';
import { inputVersionId } from '../read/json';

/**
 * Which runs a retention pass deletes: those whose every event is older than the cutoff (`updated_at`, the
 * latest event time a run's row has merged, is before it) and that nothing keeps. Kept, whatever their age:
 *
 * - **the current graph**: each job's latest run (its document's `latestRun`, by first event time) and
 *   the run its current version comes from (the latest finished run, else the latest: job-versions.ts
 *   updateJobs), so the job keeps its current version, its IO and edges as they are now; the run that
 *   wrote each dataset's current version (the latest by the time it was written), so the dataset keeps
 *   it, with its schema and facets;
 * - **what a registered model version links to** (model_version_links): the runs linked, the runs that
 *   wrote the dataset versions linked, and the runs that wrote the dataset versions those linked runs read
 *   (the version each input named, else the latest written before the run started: read/json.ts
 *   inputVersionId), so a model's training data stays answerable;
 * - **MLflow runs** still in the tracking store (user state, like the registry): their lineage is their
 *   events, and the store projects new events from the last one (tracking/run-snapshot.ts);
 * - runs with an event not normalized yet (queued) or set aside (normalization_failures): their rows do
 *   not hold what those events say yet, so deleting the rows with the events would not be what replaying
 *   the rest makes;
 * - the ancestors of every run kept (a child's events write its parent's row: parent.ts), recursively.
 *
 * Everything a run owns goes with it: its run_io, the dataset versions it wrote, its facets (of the run,
 * its view of its job, its input and output edges, the versions it wrote) and its events. The rows that
 * many runs share (namespaces, jobs, datasets, fields, edges, the facets of jobs and datasets) are the
 * graph itself and stay.
 *
 * Replay: the events that go are exactly those whose own rows go, so `replay --rebuild` of what is left
 * derives the same runs, IO, dataset and job versions, facets and values. What it cannot derive is what
 * the shared rows remember of the deleted events: their first-seen times (a job's created_at stays the
 * January of its first run), a field or an edge only deleted runs mentioned, an edge's last run. Making
 * those replay-exact would mean normalizing again every remaining event of every entity an old run
 * touched, at each pass; they are left as the full history made them (test/retention.test.ts checks both).
 */
export const fillDoomedRuns = (cutoff: string): SQL => sql`
  insert into retention_doomed_runs (run_id)
  with recursive kept(id) as (
    select x.id from jobs j cross join lateral (
      (select r.id from runs r where r.job_id = j.id order by r.created_at desc, r.id desc limit 1)
      union all
      (${versionRun(sql`j.id`, sql`r.id`)})
    ) x
    union
    select (select v.run_id from dataset_versions v where v.dataset_id = d.id order by v.created_at desc, v.id desc limit 1)
    from datasets d
    union
    select l.run_id from model_version_links l where l.run_id is not null
    union
    select v.run_id from model_version_links l join dataset_versions v on v.id = l.dataset_version_id
    union
    select v.run_id from model_version_links l
      join runs r on r.id = l.run_id
      join run_io io on io.run_id = r.id and io.direction = 'in'
      join dataset_versions v on v.id = ${inputVersionId('io', 'r')}
    union
    select case when m.run_uuid ~ '^[0-9a-fA-F]{32}$' then m.run_uuid::uuid end from mlflow_runs m
    union
    select e.run_id from pending_events p join lineage_events e on e.id = p.event_id
    union
    select e.run_id from normalization_failures f join lineage_events e on e.id = f.event_id
    union
    select r.parent_run_id from kept k join runs r on r.id = k.id where r.parent_run_id is not null
  )
  select r.id from runs r
  where r.updated_at < ${cutoff}::timestamptz and not exists (select 1 from kept k where k.id = r.id)
  order by r.id`;

/**
 * Checked again for each run of the list when its chunk is deleted (and by the dry run, which counts the
 * same set): still older than the cutoff, not linked to a model version since the pass began, and no
 * event of it queued or set aside. An event for an old run that arrives during the pass is queued in the
 * transaction that stores it, so its run is left alone from then on; one normalized before the chunk moved
 * the run's `updated_at` past the cutoff, or it is old too and goes with the run (replaying the rest never
 * sees either). `r` is the alias of `runs`.
 */
export const stillDoomed = (r: string, cutoff: string): SQL => {
  const run = sql.raw(r);
  return sql`${run}.updated_at < ${cutoff}::timestamptz
    and not exists (select 1 from model_version_links l where l.run_id = ${run}.id)
    and not exists (select 1 from dataset_versions v join model_version_links l on l.dataset_version_id = v.id where v.run_id = ${run}.id)
    and not exists (select 1 from lineage_events e where e.run_id = ${run}.id
      and (exists (select 1 from pending_events p where p.event_id = e.id)
        or exists (select 1 from normalization_failures f where f.event_id = e.id)))`;
};

/**
 * A DatasetEvent goes when it is older than the cutoff and a later DatasetEvent of the same dataset
 * (by event time, then id) is stored: the latest stays, and with it what the dataset says of itself now.
 * Not one queued or set aside. `e` is the alias of `lineage_events`.
 */
export const doomedDatasetEvent = (e: string, cutoff: string): SQL => {
  const ev = sql.raw(e);
  return sql`${ev}.kind = 'dataset' and ${ev}.event_time < ${cutoff}::timestamptz
    and exists (select 1 from lineage_events n where n.kind = 'dataset' and n.dataset_id = ${ev}.dataset_id
      and (n.event_time, n.id) > (${ev}.event_time, ${ev}.id))
    and not exists (select 1 from pending_events p where p.event_id = ${ev}.id)
    and not exists (select 1 from normalization_failures f where f.event_id = ${ev}.id)`;
};
