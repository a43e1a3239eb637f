import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { select } from '../db/sql';
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
 */
export async function listEvents(db: Db, filter: EventFilter, page: Page): Promise<string> {
  const where: SQL[] = [sql`e.kind = 'run'`];
  if (filter.after) where.push(sql`e.event_time >= ${filter.after}::timestamptz`);
  if (filter.before) where.push(sql`e.event_time < ${filter.before}::timestamptz`);
  if (filter.runId) where.push(sql`e.run_id = ${filter.runId}::uuid`);
  const cond = sql.join(where, sql` and `);
  const dir = filter.direction === 'asc' ? sql`asc` : sql`desc`;
  const [row] = await select<{ total: number; events: string | null }>(
    db,
    sql`select (select count(*)::int from lineage_events e where ${cond}) as total,
      (select string_agg(p.raw, ',' order by p.event_time ${dir}, p.id ${dir}) from (
        select e.raw, e.event_time, e.id from lineage_events e where ${cond}
        order by e.event_time ${dir}, e.id ${dir} limit ${page.limit} offset ${page.offset}) p) as events`,
  );
  return `{"events":[${row!.events ?? ''}],"totalCount":${row!.total}}`;
}
