import { type SQL, sql } from 'drizzle-orm';
import type { Db, Query } from '../db/client';
import { sqlState } from '../db/errors';
import { select } from '../db/sql';
import { doomedDatasetEvent, stillDoomed } from './doomed';

/**
 * lineage_events is partitioned by UTC month of event_time (migration 0015): `lineage_events_YYYY_MM`, plus
 * `lineage_events_default` for times no month partition covers (absurd ones, or a month not created yet).
 * The database function pedigree_event_partition (same migration) is the one definition of their names and
 * bounds; it moves what the default partition holds of a month into the month's partition when it creates it.
 */

/** Months ahead kept created, so inserts never wait on DDL and rarely land in the default partition. */
const MONTHS_AHEAD = 3;

/**
 * Creates the partitions of this month and the next ones when missing: at start-up, before each retention
 * pass and daily with the schedule (and on the Workers' cron). Cheap when they exist (a catalog lookup each).
 */
export async function ensureEventPartitions(db: Db, now = new Date()): Promise<void> {
  for (let i = 0; i <= MONTHS_AHEAD; i++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
    try {
      await select(db, sql`select pedigree_event_partition(${month.toISOString()}::timestamptz)`);
    } catch (error) {
      // Another instance created it at the same moment: there it is.
      if (!['42P07', '23505'].includes(sqlState(error) ?? '')) throw error;
    }
  }
}

/**
 * Gives their month partitions to the events the default partition holds from 2000 to a year ahead (an
 * import of old events, events accepted while no process created the month): moved there, the month can
 * later be dropped whole. Times outside those bounds stay in the default partition, deleted row by row.
 * Before each retention pass; cheap when the default partition is empty, as it mostly is.
 */
export async function partitionDefault(db: Db): Promise<string[]> {
  const months = await select<{ m: string }>(
    db,
    sql`select distinct date_trunc('month', event_time at time zone 'UTC') at time zone 'UTC' as m from lineage_events_default
      where event_time >= '2000-01-01T00:00:00Z' and event_time < now() + interval '1 year' order by 1`,
  );
  const created: string[] = [];
  for (const { m } of months) {
    const [row] = await select<{ name: string }>(db, sql`select pedigree_event_partition(${m}::timestamptz) as name`);
    created.push(row!.name);
  }
  return created;
}

export interface MonthPartition {
  name: string;
  /** First instant of the month, and of the next (ISO, UTC). */
  from: string;
  to: string;
}

const MONTH_NAME = /^lineage_events_(\d{4})_(\d{2})$/;

/**
 * The months whose events the default partition holds, every instant before `cutoff`, as a pass would give
 * them a partition (partitionDefault): what a dry run, which creates none, reports as dropped whole. Each
 * is named as its partition will be but read from the default partition (`name` is the table to read).
 */
export async function defaultMonthsBefore(db: Db, cutoff: string): Promise<(MonthPartition & { partition: string })[]> {
  const months = await select<{ m: string }>(
    db,
    sql`select distinct to_char(event_time at time zone 'UTC', 'YYYY_MM') as m from lineage_events_default
      where event_time >= '2000-01-01T00:00:00Z' and event_time < now() + interval '1 year' order by 1`,
  );
  return months.flatMap(({ m }) => {
    const [y, mo] = m.split('_').map(Number) as [number, number];
    const from = new Date(Date.UTC(y, mo - 1, 1));
    const to = new Date(Date.UTC(y, mo, 1));
    return to.getTime() <= Date.parse(cutoff)
      ? [{ name: 'lineage_events_default', partition: `lineage_events_${m}`, from: from.toISOString(), to: to.toISOString() }]
      : [];
  });
}

/** The month partitions whose every instant is before `cutoff`, oldest first. */
export async function monthsBefore(db: Db, cutoff: string): Promise<MonthPartition[]> {
  const parts = await select<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'lineage_events'::regclass order by c.relname`,
  );
  const months: MonthPartition[] = [];
  for (const { name } of parts) {
    const m = MONTH_NAME.exec(name);
    if (!m) continue;
    const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
    const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
    if (to.getTime() <= Date.parse(cutoff)) months.push({ name, from: from.toISOString(), to: to.toISOString() });
  }
  return months;
}

/**
 * Whether every event of the month goes in this pass (a RunEvent of a run still doomed, or a DatasetEvent
 * doomed): only then may the month be dropped whole. A month holding one event to keep is deleted from row
 * by row instead, with the rest (the kept events of old months are few: the current graph's, the model
 * versions', so those months shrink to them). JobEvents are never deleted, so a month with one is kept.
 */
const holdsOnlyDoomed = (month: MonthPartition, cutoff: string, recheck: boolean): SQL => sql`
  with d as materialized (
    ${
      recheck
        ? sql`select r.id from runs r join retention_doomed_runs x on x.run_id = r.id where ${stillDoomed('r', cutoff)}`
        : sql`select run_id as id from retention_doomed_runs`
    }
  )
  select not exists (
    select 1 from ${sql.identifier(month.name)} e
    where e.event_time >= ${month.from}::timestamptz and e.event_time < ${month.to}::timestamptz
      and not ((e.kind = 'run' and e.run_id in (select id from d)) or (${doomedDatasetEvent('e', cutoff)}))
  ) as ok`;

/**
 * The check before the lock, against the pass's list as it was made (in a store nothing writes to, what
 * stillDoomed finds too): it costs one look at each month, where checking every run again would cost one
 * per month. The check that decides is dropMonth's, under its lock.
 */
export async function droppable(db: Db, month: MonthPartition, cutoff: string): Promise<boolean> {
  const [row] = await select<{ ok: boolean }>(db, holdsOnlyDoomed(month, cutoff, false));
  return row!.ok;
}

export interface Dropped {
  name: string;
  events: { run: number; dataset: number; job: number };
}

/**
 * Drops a month whole, if it still holds only doomed events: checked again in the transaction that drops
 * it, once writes to lineage_events are held off (SHARE lock: reads go on; an event accepted for that month
 * meanwhile waits, and afterwards lands in the default partition). The wait for the lock is bounded: when it
 * cannot be had (long transactions on the events), the month is left to the row-by-row deletion.
 */
export async function dropMonth(db: Db, month: MonthPartition, cutoff: string): Promise<Dropped | undefined> {
  try {
    return await db.transaction(async (query: Query) => {
      await query(sql`set local lock_timeout = '10s'`);
      await query(sql`lock table lineage_events in share mode`);
      const [check] = await query<{ ok: boolean }>(holdsOnlyDoomed(month, cutoff, true));
      if (!check!.ok) return undefined;
      const kinds = await query<{ kind: 'run' | 'dataset' | 'job'; n: number | string }>(
        sql`select kind, count(*) as n from ${sql.identifier(month.name)} group by kind`,
      );
      await query(sql`alter table lineage_events detach partition ${sql.identifier(month.name)}`);
      await query(sql`drop table ${sql.identifier(month.name)}`);
      const events = { run: 0, dataset: 0, job: 0 };
      for (const k of kinds) events[k.kind] = Number(k.n);
      return { name: month.name, events };
    });
  } catch (error) {
    if (sqlState(error) === '55P03') return undefined; // lock_not_available: lock_timeout ran out
    throw error;
  }
}
