import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';
import type { Page } from './page';

export interface EventFilter {
  /** Inclusive lower bound on event time. */
  after?: string;
  /** Exclusive upper bound on event time. */
  before?: string;
  direction: 'asc' | 'desc';
  /** Pedigree extension: the events of one run. */
  runId?: string;
}

/**
 * Stored RunEvents in Marquez's `{events, totalCount}` shape. The events are the exact texts received,
 * spliced into the response without being parsed again: what a client reads back is what was sent.
 * Only RunEvents are listed (the web UI reads `job.name` of every item) and counted.
 * Pedigree extension: `ingest[i]` is what Pedigree kept about `events[i]`: its stored id, when it was
 * received, and the warnings it was accepted with (`{pointer, message}`, `[]` when none).
 */
export async function listEvents(db: Db, filter: EventFilter, page: Page): Promise<string> {
  const where: SQL[] = [sql`e.kind = 'run'`];
  if (filter.after) where.push(sql`e.event_time >= ${filter.after}::timestamptz`);
  if (filter.before) where.push(sql`e.event_time < ${filter.before}::timestamptz`);
  if (filter.runId) where.push(sql`e.run_id = ${filter.runId}::uuid`);
  const cond = sql.join(where, sql` and `);
  const dir = filter.direction === 'asc' ? sql`asc` : sql`desc`;
  const [row] = await select<{ total: number; events: string | null; ingest: string | null }>(
    db,
    sql`select (select count(*)::int from lineage_events e where ${cond}) as total, p.events, p.ingest from (
      select string_agg(p.raw, ',' order by p.event_time ${dir}, p.id ${dir}) as events,
        json_agg(json_build_object('id', p.id, 'receivedAt', ${iso(sql`p.received_at`)},
          'warnings', coalesce(p.warnings, '[]'::jsonb)) order by p.event_time ${dir}, p.id ${dir})::text as ingest
      from (select e.raw, e.event_time, e.id, e.received_at, e.warnings from lineage_events e where ${cond}
        order by e.event_time ${dir}, e.id ${dir} limit ${page.limit} offset ${page.offset}) p) p`,
  );
  return `{"events":[${row!.events ?? ''}],"totalCount":${row!.total},"ingest":${row!.ingest ?? '[]'}}`;
}
