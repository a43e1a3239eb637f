import { inArray } from 'drizzle-orm';
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
  const unique = new Map<string, EventPlan>();
  for (const p of plans) if (!unique.has(p.event.id!)) unique.set(p.event.id!, p);
  const ordered = [...unique.values()].sort((a, b) => (a.event.id! < b.event.id! ? -1 : 1));

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
  const todo = ordered.filter((p) => fresh.has(p.event.id!));
  if (todo.length === 0) return fresh;

  // Issued in table order without waiting between statements: the driver pipelines them and the server
  // runs them in order, so a batch costs two round trips, not one per table.
  const all = <K extends keyof typeof rules>(key: K) => todo.flatMap((p) => p[key] as never[]);
  const statements = (Object.keys(rules) as (keyof typeof rules)[]).flatMap((key) => upsert(tx, rules[key] as never, all(key)));
  statements.push(...refreshJobVersions(tx, todo.flatMap((p) => p.versionRuns.map((v) => v.runId))));
  await Promise.all(statements);
  return fresh;
}

/** For tests and tools: whether these events are stored. */
export async function storedEventIds(tx: Tx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (await tx.select({ id: lineageEvents.id }).from(lineageEvents).where(inArray(lineageEvents.id, ids))).map((r) => r.id);
}
