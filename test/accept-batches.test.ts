import { describe, expect, it } from 'vitest';
import type { Db, Query } from '../src/db/client';
import type { EventRow } from '../src/ingest/plan/event-row';
import { acceptEvents } from '../src/ingest/store';
import { databases, truncateAll, useDatabase } from './support/databases';
import { asAccepted } from './support/events';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';

/** `n` distinct events (four per run), as acceptance stores them. */
function events(n: number): EventRow[] {
  const out: EventRow[] = [];
  while (out.length < n) out.push(...asAccepted(runStory().events));
  return out.slice(0, n);
}

/** The Db, counting the statements acceptance issues and whether it wrapped them in a transaction. */
function counted(db: Db) {
  const seen = { statements: 0, rows: [] as number[], transactions: 0 };
  const counting = (query: Query): Query =>
    Object.assign((q: Parameters<Query>[0]) => query(q), query, {
      raw: (text: string, params?: unknown[]) => {
        seen.statements++;
        seen.rows.push((text.match(/\), \(\$/g)?.length ?? 0) + 1);
        return query.raw(text, params);
      },
    }) as Query;
  const wrapped: Db = {
    ...db,
    transaction: (fn) => {
      seen.transactions++;
      return db.transaction((query) => fn(counting(query)));
    },
    autocommit: (fn) => db.autocommit((query) => fn(counting(query))),
  };
  return { db: wrapped, seen };
}

describe.each(databases)('accepting a batch of events on $name', (database) => {
  const ctx = useDatabase(database);

  it('stores and queues each new event once, in one statement up to 32 events (on PostgreSQL without a transaction)', async () => {
    const { db } = ctx();
    await truncateAll(db);
    const postgres = db.driver === 'postgres';
    const batch = events(45);

    // 13 events: one statement of 13 rows, in a transaction on PGlite only (where it is prepared).
    const first = counted(db);
    const fresh = await acceptEvents(first.db, batch.slice(0, 13));
    expect(fresh.size).toBe(13);
    expect(first.seen).toEqual({ statements: 1, rows: [13], transactions: postgres ? 0 : 1 });

    // 45 events, the 13 among them already stored (and one twice in the batch): powers of two beyond 32,
    // and only the 32 new ones stored and queued.
    const second = counted(db);
    const again = await acceptEvents(second.db, [...batch, batch[20]!]);
    expect(second.seen).toEqual({ statements: 4, rows: [32, 8, 4, 1], transactions: 1 });
    expect([...again].sort()).toEqual(
      batch
        .slice(13)
        .map((e) => e.id)
        .sort(),
    );
    expect(await count(db, 'lineage_events')).toBe(45);
    expect(await count(db, 'pending_events')).toBe(45);
  });
});
