import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { planStored } from '../ingest/ingest';
import type { EventPlan } from '../ingest/plan';
import { storedTexts } from '../ingest/queue';

export interface Named {
  datasets: readonly string[];
  jobs: readonly string[];
}

/**
 * The stored events that may name the given datasets and jobs: a superset, found through the normalized
 * rows those events wrote (no scan of lineage_events). A dataset is named by the DatasetEvents about it,
 * the runs with it as an input or output, the JobEvents of jobs with an edge to it, the runs whose column
 * lineage reads or writes it, and (symlinks, column lineage) the events about the datasets naming it in
 * their facets. A job by its own events and those of the runs whose parent is one of its runs. With
 * `queued`, the events not normalized yet, or set aside, are candidates too (they wrote no rows).
 */
export async function candidateEvents(query: Query, named: Named, queued: boolean): Promise<string[]> {
  if (named.datasets.length === 0 && named.jobs.length === 0) return [];
  const found = await query<{ id: string }>(sql`
    with ds(id) as (select unnest(${uuidArray([...named.datasets])})),
    dsx(id) as (
      select id from ds
      union select s.dataset_id from dataset_symlinks s join ds on s.target_id = ds.id
      union select s.target_id from dataset_symlinks s join ds on s.dataset_id = ds.id
      union select cl.output_dataset_id from column_lineage cl join ds on cl.input_dataset_id = ds.id),
    js(id) as (select unnest(${uuidArray([...named.jobs])})),
    rs(id) as (
      select io.run_id from run_io io join dsx on io.dataset_id = dsx.id
      union select cl.run_id from column_lineage cl join ds on cl.input_dataset_id = ds.id or cl.output_dataset_id = ds.id
        where cl.run_id is not null
      union select r.id from runs r join js on r.job_id = js.id
      union select c.id from runs c join runs p on c.parent_run_id = p.id join js on p.job_id = js.id)
    select e.id from lineage_events e join rs on e.run_id = rs.id
    union select e.id from lineage_events e join js on e.job_id = js.id
    union select e.id from lineage_events e join dsx on e.dataset_id = dsx.id
    union select e.id from lineage_events e
      join (select distinct io.job_id from job_io io join dsx on io.dataset_id = dsx.id) j on e.job_id = j.job_id
      where e.kind = 'job'
    ${queued ? sql`union select event_id from pending_events union select event_id from normalization_failures` : sql``}`);
  return found.map((r) => r.id);
}

/** Events planned in bounded batches (their texts are loaded a batch at a time). */
export const PLAN_BATCH = 500;

/**
 * Plans the stored events `ids`, a batch at a time, handing each batch's plans to `each`. An event that
 * cannot be planned (set aside for that reason) names nothing.
 */
export async function forEachPlanned(query: Query, ids: readonly string[], each: (plans: EventPlan[]) => Promise<void>) {
  const sorted = [...ids].sort();
  for (let i = 0; i < sorted.length; i += PLAN_BATCH) {
    const texts = await storedTexts(query, sorted.slice(i, i + PLAN_BATCH));
    const plans: EventPlan[] = [];
    for (const [id, text] of texts) {
      const planned = planStored(id, text);
      if (planned.ok) plans.push(planned.plan);
    }
    await each(plans);
  }
}

/** Whether the plan writes a row of one of the datasets or jobs: the event names it. */
export const names = (plan: EventPlan, datasets: ReadonlySet<string>, jobs: ReadonlySet<string>) =>
  plan.datasets.some((d) => datasets.has(d.id)) || plan.jobs.some((j) => jobs.has(j.id));
