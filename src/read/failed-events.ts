import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';

export interface FailedEvent {
  id: string;
  /** Why normalizing it failed (the database's message and SQLSTATE, or what could not be understood). */
  error: string;
  failedAt: string;
  /** How many times it failed (a retry that fails again adds one). */
  attempts: number;
  /** Whether it is queued again (a replay or a retry is under way). */
  retrying: boolean;
  receivedAt: string;
  kind: 'run' | 'dataset' | 'job';
  eventType: string | null;
  eventTime: string;
  runId: string | null;
  producer: string | null;
}

/**
 * The events set aside because their normalization failed (src/ingest/normalizer.ts), the latest failure
 * first: stored verbatim (GET /api/v1/events/lineage?runId= reads them), left out of the normalized tables
 * until `pedigree replay` (or POST /api/v1/events/failed/retry) normalizes them.
 */
export async function listFailedEvents(
  db: Db,
  page: { limit: number; offset: number },
): Promise<{ failed: FailedEvent[]; totalCount: number }> {
  const [total] = await select<{ n: number }>(db, sql`select count(*)::int as n from normalization_failures`);
  const failed = await select<FailedEvent>(
    db,
    sql`select f.event_id as id, f.error, ${iso(sql`f.failed_at`)} as "failedAt", f.attempts,
        exists (select 1 from pending_events p where p.event_id = f.event_id) as retrying,
        ${iso(sql`e.received_at`)} as "receivedAt", e.kind, e.event_type as "eventType", ${iso(sql`e.event_time`)} as "eventTime",
        e.run_id as "runId", e.producer
      from normalization_failures f join lineage_events e on e.id = f.event_id
      order by f.failed_at desc, f.event_id
      limit ${page.limit} offset ${page.offset}`,
  );
  return { failed, totalCount: total!.n };
}
