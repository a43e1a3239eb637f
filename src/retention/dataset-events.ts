import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { doomedDatasetEvent } from './doomed';

/**
 * Deletes the next chunk of doomed DatasetEvents (doomed.ts), after the key (event_time, id) `after`, in
 * the caller's transaction; returns how many went and the key to continue from (undefined: done). Their
 * normalized rows stay: what a DatasetEvent writes is the dataset's own (its row, fields, facets), which
 * the latest DatasetEvent, kept, says again.
 */
export async function deleteDatasetEventChunk(
  query: Query,
  cutoff: string,
  size: number,
  after: { time: string; id: string } | undefined,
): Promise<{ deleted: number; next?: { time: string; id: string } }> {
  const from = after ? sql`and (e.event_time, e.id) > (${after.time}::timestamptz, ${after.id}::uuid)` : sql``;
  const [row] = await query<{ n: number | string; seen: number | string; t: string | null; id: string | null }>(sql`
    with page as materialized (
      select e.id, e.event_time from lineage_events e
      where e.event_time < ${cutoff}::timestamptz ${from} and ${doomedDatasetEvent('e', cutoff)}
      order by e.event_time, e.id limit ${size}::int
    ), d as (
      delete from lineage_events e using page where e.id = page.id and e.event_time = page.event_time returning 1
    ), last as (select event_time::text as t, id from page order by event_time desc, id desc limit 1)
    select (select count(*) from d) as n, (select count(*) from page) as seen, (select t from last) as t, (select id from last) as id`);
  const r = row!;
  return { deleted: Number(r.n), next: Number(r.seen) < size || !r.t || !r.id ? undefined : { time: r.t, id: r.id } };
}

/** How many DatasetEvents a pass deletes (a dry run). */
export const countDatasetEvents = (cutoff: string) =>
  sql`select count(*) as n from lineage_events e where e.event_time < ${cutoff}::timestamptz and ${doomedDatasetEvent('e', cutoff)}`;
