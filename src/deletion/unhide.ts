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
 * One statement per batch, in the batch's transaction; a probe of hidden_entities' key per name.
 */
export async function unhideNamed(query: Query, plans: readonly EventPlan[]): Promise<void> {
  const pairs = new Set<string>();
  for (const p of plans) {
    for (const row of [...p.namespaces, ...p.datasets, ...p.jobs]) pairs.add(`${row.id} ${p.event.id}`);
  }
  if (pairs.size === 0) return;
  const sorted = [...pairs].sort().map((pair) => pair.split(' ') as [string, string]);
  await query(sql`delete from hidden_entities h
    using unnest(${textArray(sorted.map((p) => p[0]))}::uuid[], ${textArray(sorted.map((p) => p[1]))}::uuid[]) as u(id, event_id),
      lineage_events e
    where h.id = u.id and e.id = u.event_id and e.received_at >= h.hidden_at`);
}
