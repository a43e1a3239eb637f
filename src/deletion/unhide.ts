import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { textArray } from '../db/sql';
import type { EventPlan } from '../ingest/plan';

/**
 * Shows hidden entities again when an event names them, as Marquez's upserts reset `is_hidden`: every
 * namespace, dataset and job the event writes a row for (its job, inputs and outputs, a parent job, a
 * symlink's target, a column-lineage input), provided the event was **received after** the entity was
 * hidden. Normalization follows acceptance, so an event accepted before a deletion may be normalized after
 * it: the deletion was asked for with that event already in, and it does not bring the entity back. Replay
 * (`pedigree replay --rebuild`) applies the same rule to the stored events, so it keeps hidden what was.
 *
 * One statement per batch, in the batch's transaction.
 */
export async function unhideNamed(query: Query, plans: readonly EventPlan[]): Promise<void> {
  const pairs = new Set<string>();
  for (const p of plans) {
    for (const row of [...p.namespaces, ...p.datasets, ...p.jobs]) pairs.add(`${row.id} ${p.event.id}`);
  }
  if (pairs.size === 0) return;
  const sorted = [...pairs].sort().map((pair) => pair.split(' ') as [string, string]);
  // The names that are hidden first (a probe of hidden_entities' key each, materialized so it stays first),
  // and the events' receipt times only for those: measured on PostgreSQL with 200k events, 10k hidden and
  // a batch of 2,000 names, 2 ms; joining the events first, 68 ms. Nothing hidden: 0.1 ms.
  await query(sql`with named as materialized (
      select u.id, u.event_id
      from unnest(${textArray(sorted.map((p) => p[0]))}::uuid[], ${textArray(sorted.map((p) => p[1]))}::uuid[]) as u(id, event_id)
      where exists (select 1 from hidden_entities h where h.id = u.id))
    delete from hidden_entities h using named u, lineage_events e
    where h.id = u.id and e.id = u.event_id and e.received_at >= h.hidden_at`);
}
