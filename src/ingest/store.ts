import type { Tx } from '../db/client';
import { lineageEvents } from '../db/schema';
import { upsert } from '../db/upsert';
import { refreshJobVersions } from './job-versions';
import type { EventPlan } from './plan';
import { rules } from './rules';

/**
 * Writes a batch of planned events in the caller's transaction. Events already stored (same content
 * hash) are skipped whole: their rows were written when they first came. Returns the ids newly stored.
 */
export async function storePlans(tx: Tx, plans: EventPlan[]): Promise<Set<string>> {
  const unique = [...new Map(plans.map((p) => [p.event.id!, p])).values()].sort((a, b) => (a.event.id! < b.event.id! ? -1 : 1));
  const fresh = await insertEvents(tx, unique);
  await normalizePlans(tx, unique.filter((p) => fresh.has(p.event.id!)));
  return fresh;
}

/** Stores the verbatim events; returns the ids that were not stored before. */
async function insertEvents(tx: Tx, ordered: EventPlan[]): Promise<Set<string>> {
  const fresh = new Set<string>();
  // Chunked so that one statement's parameters stay far below Postgres' 65535.
  for (let i = 0; i < ordered.length; i += 1000) {
    const inserted = await tx
      .insert(lineageEvents)
      .values(ordered.slice(i, i + 1000).map((p) => p.event))
      .onConflictDoNothing({ target: lineageEvents.id })
      .returning({ id: lineageEvents.id });
    for (const r of inserted) fresh.add(r.id);
  }
  return fresh;
}

/**
 * Writes the normalized rows of events (already stored verbatim). Replaying stored events runs this alone:
 * merges are idempotent, so normalizing an event twice changes nothing.
 */
export async function normalizePlans(tx: Tx, todo: EventPlan[]): Promise<void> {
  if (todo.length === 0) return;

  // Issued in table order without waiting between statements: the driver pipelines them and the server
  // runs them in order, so a batch costs two round trips, not one per table.
  const all = <K extends keyof typeof rules>(key: K) => todo.flatMap((p) => p[key] as never[]);
  const statements = (Object.keys(rules) as (keyof typeof rules)[]).flatMap((key) => upsert(tx, rules[key] as never, all(key)));
  statements.push(...refreshJobVersions(tx, todo.flatMap((p) => p.versionRuns.map((v) => v.runId))));
  await Promise.all(statements);
}
