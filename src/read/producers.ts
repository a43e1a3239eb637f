import { sql } from 'drizzle-orm';
import { type Deviation, notFound } from '../core/errors';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';
import type { Page } from './page';

/**
 * How well each producer follows the spec: its stored events, those stored with warnings, and those
 * rejected (ingest/rejections.ts). An accepted event is seen at its event time, a rejected one at its
 * receipt (its event time may be what was wrong with it). Every count and span is read from the indexes
 * on (producer, time) of both tables (migration 0009); a report groups the warnings of one producer's
 * warned events only.
 */

export interface ProducerSummary {
  producer: string;
  events: number;
  eventsWithWarnings: number;
  rejected: number;
  firstSeen: string;
  lastSeen: string;
}

/** Every producer, the most recently seen first. Events without a producer are not counted. */
export async function listProducers(db: Db): Promise<{ producers: ProducerSummary[] }> {
  const producers = await select<ProducerSummary>(
    db,
    sql`with e as (select producer, count(*)::int as n, min(event_time) as first, max(event_time) as last
          from lineage_events where producer is not null group by producer),
        w as (select producer, count(*)::int as n from lineage_events where producer is not null and warnings is not null group by producer),
        r as (select producer, count(*)::int as n, min(received_at) as first, max(received_at) as last
          from rejected_events where producer is not null group by producer)
      select p.producer, coalesce(e.n, 0) as events, coalesce(w.n, 0) as "eventsWithWarnings", coalesce(r.n, 0) as rejected,
        ${iso(sql`least(e.first, r.first)`)} as "firstSeen", ${iso(sql`greatest(e.last, r.last)`)} as "lastSeen"
      from (select producer from e union select producer from r) p
        left join e on e.producer = p.producer left join w on w.producer = p.producer left join r on r.producer = p.producer
      order by greatest(e.last, r.last) desc, p.producer`,
  );
  return { producers };
}

/** The distinct warnings a report lists: the most frequent (a pointer with an array index makes many). */
export const REPORTED_WARNINGS = 100;

export interface WarningGroup extends Deviation {
  /** Events stored with this warning. */
  count: number;
  lastSeen: string;
  /** The latest of them. */
  exampleEventId: string;
}

export interface Rejection {
  id: string;
  receivedAt: string;
  eventType: string | null;
  runId: string | null;
  errors: Deviation[];
  raw: string;
}

export interface ProducerReport {
  producer: string;
  events: number;
  eventsWithWarnings: number;
  rejected: number;
  warnings: WarningGroup[];
  rejections: Rejection[];
}

/** One producer's report: its warnings grouped, and its rejections newest first (a page of them). */
export async function producerReport(db: Db, producer: string, page: Page): Promise<ProducerReport> {
  const [counts] = await select<{ events: number; eventsWithWarnings: number; rejected: number }>(
    db,
    sql`select (select count(*)::int from lineage_events where producer = ${producer}) as events,
      (select count(*)::int from lineage_events where producer = ${producer} and warnings is not null) as "eventsWithWarnings",
      (select count(*)::int from rejected_events where producer = ${producer}) as rejected`,
  );
  if (!counts!.events && !counts!.rejected) throw notFound(`Producer '${producer}' not found.`);
  const [warnings, rejections] = await Promise.all([warningGroups(db, producer), rejectionsOf(db, producer, page)]);
  return { producer, ...counts!, warnings, rejections };
}

/**
 * Warnings by (pointer, message), the most frequent first. An event holds each warning once (ingest.ts),
 * so a count is of events. The example is found afterwards, for the groups listed only: an event of the
 * producer at the group's last time that holds the warning, one index probe each (aggregating ids would
 * carry every event of every group through the sort).
 */
function warningGroups(db: Db, producer: string): Promise<WarningGroup[]> {
  const warned = sql`e.producer = ${producer} and e.warnings is not null`;
  return select<WarningGroup>(
    db,
    sql`select g.pointer, g.message, g.count, ${iso('g.last_seen')} as "lastSeen",
        (select e.id from lineage_events e where ${warned} and e.event_time = g.last_seen
          and e.warnings @> jsonb_build_array(jsonb_build_object('pointer', g.pointer, 'message', g.message)) order by e.id limit 1) as "exampleEventId"
      from (select w.value->>'pointer' as pointer, w.value->>'message' as message, count(*)::int as count, max(e.event_time) as last_seen
        from lineage_events e cross join lateral jsonb_array_elements(e.warnings) as w(value)
        where ${warned}
        group by 1, 2 order by count(*) desc, max(e.event_time) desc, 1, 2 limit ${REPORTED_WARNINGS}) g
      order by g.count desc, g.last_seen desc, g.pointer, g.message`,
  );
}

function rejectionsOf(db: Db, producer: string, page: Page): Promise<Rejection[]> {
  return select<Rejection>(
    db,
    sql`select r.id, ${iso('r.received_at')} as "receivedAt", r.event_type as "eventType", r.run_id as "runId", r.errors, r.raw
      from rejected_events r where r.producer = ${producer}
      order by r.received_at desc, r.id desc limit ${page.limit} offset ${page.offset}`,
  );
}
