import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { select } from './sql';

/** A table autovacuum's rules say is due (tablesDue): its name, quoted, and what it is due for. */
export interface DueTable {
  name: string;
  vacuum: boolean;
  analyze: boolean;
}

/** A table's name in pg_stat_user_tables `s`, schema-qualified and quoted by the server. */
const TABLE_NAME = sql.raw(`quote_ident(s.schemaname) || '.' || quote_ident(s.relname)`);

/**
 * What PostgreSQL's autovacuum does, for PGlite, which has none: vacuums and analyzes the tables that its
 * rules say are due, with the server's own settings (`autovacuum_*`, which PGlite has with their defaults).
 * Without it, an embedded server that ran for long would:
 * - grow without bound on rows rewritten in place: 35 job documents took 5.4 MB after 20,000 corpus events
 *   and 9.5 MB after 40,000, the 35 jobs' rows 1.2 and 3.4 MB (their old versions, and the documents' old
 *   TOAST chunks, are reclaimed only by VACUUM);
 * - plan every read without statistics (a table never analyzed has none);
 * - stop taking writes one day: a table never vacuumed is never frozen, and PostgreSQL refuses new
 *   transaction ids before their counter wraps around.
 * Due, as autovacuum decides, per table: dead rows over `vacuum_threshold + vacuum_scale_factor × rows`;
 * rows inserted since the last vacuum over the insert threshold and factor; its oldest unfrozen transaction
 * older than `autovacuum_freeze_max_age`; for ANALYZE, rows changed since the last over its threshold and
 * factor. PGlite's counters are those of its statistics, which it writes at most once a second, plus what
 * they were at its last clean close (carryCounters): PGlite starts every open with none.
 */
export function tablesDue(db: Db): Promise<DueTable[]> {
  return select<DueTable>(
    db,
    sql`with settings as (
      select current_setting('autovacuum_vacuum_threshold')::float8 as vt,
        current_setting('autovacuum_vacuum_scale_factor')::float8 as vf,
        current_setting('autovacuum_vacuum_insert_threshold')::float8 as it,
        current_setting('autovacuum_vacuum_insert_scale_factor')::float8 as ifa,
        current_setting('autovacuum_analyze_threshold')::float8 as at,
        current_setting('autovacuum_analyze_scale_factor')::float8 as af,
        current_setting('autovacuum_freeze_max_age')::float8 as fa),
    tables as (
      select ${TABLE_NAME} as name,
        s.n_dead_tup + coalesce(k.dead_rows, 0) > vt + vf * greatest(c.reltuples, 0)
          or (it >= 0 and s.n_ins_since_vacuum + coalesce(k.inserted_since_vacuum, 0) > it + ifa * greatest(c.reltuples, 0))
          or age(c.relfrozenxid) > fa as due_vacuum,
        s.n_mod_since_analyze + coalesce(k.modified_since_analyze, 0) > at + af * greatest(c.reltuples, 0) as due_analyze
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid cross join settings
      left join upkeep_counters k on k.table_name = ${TABLE_NAME}
      -- A partitioned table holds no rows: its partitions are vacuumed, as autovacuum does.
      where c.relkind <> 'p')
    select name, due_vacuum as vacuum, due_analyze as analyze from tables where due_vacuum or due_analyze order by name`,
  );
}

/**
 * Vacuums (and analyzes) or analyzes one table, as `tablesDue` said. VACUUM cannot run in a transaction: it
 * is a statement of its own, which PGlite runs between the others, holding its one connection meanwhile.
 */
export async function keepUp(db: Db, table: DueTable): Promise<void> {
  // The name was quoted by the server (quote_ident), from its own catalog.
  const statement = table.vacuum ? `vacuum ${table.analyze ? '(analyze) ' : ''}${table.name}` : `analyze ${table.name}`;
  await db.orm.execute(sql.raw(statement));
  // What the statement reset in the live counters, it resets in those carried from before a close.
  const reset = [
    ...(table.vacuum ? ['dead_rows = 0', 'inserted_since_vacuum = 0'] : []),
    ...(table.analyze ? ['modified_since_analyze = 0'] : []),
  ];
  await db.orm.execute(sql`update upkeep_counters set ${sql.raw(reset.join(', '))} where table_name = ${table.name}`);
}

/**
 * As PGlite closes, once (each call adds the live counters again): its counters, added to those carried
 * from before, are kept in `upkeep_counters` for its next open. PostgreSQL writes them to disk at a clean
 * shutdown; PGlite 0.5 does not (its `pg_stat` directory stays empty), and without them a table whose
 * changes between two restarts stay under the thresholds would never be found due, its dead rows piling up
 * from one run to the next. As with PostgreSQL, what a crash loses is the counters since the last clean
 * close. It takes 5–15 ms.
 */
export async function carryCounters(db: Db): Promise<void> {
  // This backend's own counts reach the statistics at most once a second: now, before they are read.
  await db.orm.execute(sql`select pg_stat_force_next_flush()`);
  await db.orm.execute(
    sql`insert into upkeep_counters (table_name, dead_rows, inserted_since_vacuum, modified_since_analyze)
      select ${TABLE_NAME}, s.n_dead_tup + coalesce(k.dead_rows, 0), s.n_ins_since_vacuum + coalesce(k.inserted_since_vacuum, 0),
        s.n_mod_since_analyze + coalesce(k.modified_since_analyze, 0)
      from pg_stat_user_tables s left join upkeep_counters k on k.table_name = ${TABLE_NAME}
      on conflict (table_name) do update set dead_rows = excluded.dead_rows,
        inserted_since_vacuum = excluded.inserted_since_vacuum, modified_since_analyze = excluded.modified_since_analyze`,
  );
}

/** When a checkpoint is due (checkpointDue); each absent one is the server's setting. */
export interface CheckpointRule {
  /** WAL since the last checkpoint's redo point: `max_wal_size ÷ (1 + checkpoint_completion_target)`. */
  bytes?: number;
  /** Time since the last checkpoint, once WAL was written after it: `checkpoint_timeout`. */
  ms?: number;
}

/**
 * Least WAL since the last checkpoint's own record that a timed checkpoint is taken for. A checkpoint ends
 * 120 bytes past its record (PGlite 0.5, PostgreSQL 18; a page header more when it crosses a page), and
 * the smallest write logs about as much again: under a kilobyte, there is nothing a crash would replay.
 */
const TIMED_CHECKPOINT_MIN_WAL = 1024;

/**
 * Whether PGlite should checkpoint, as PostgreSQL's checkpointer decides: the WAL written since the last
 * checkpoint's redo point passed `max_wal_size ÷ (1 + checkpoint_completion_target)`, or `checkpoint_timeout`
 * passed since it and WAL was written after it (idle after a burst: what a crash would replay, and how long
 * the data files lag the WAL, are bounded in time too). PGlite is PostgreSQL's standalone backend, which
 * never checkpoints by itself (a checkpoint for WAL is requested only under a postmaster, and there is no
 * checkpointer for `checkpoint_timeout`): its WAL grew until close, 321 MB after 40,000 corpus events and on
 * without bound, and a crash would replay it all.
 */
export async function checkpointDue(db: Db, rule: CheckpointRule = {}): Promise<boolean> {
  const bytes =
    rule.bytes ?? sql`pg_size_bytes(current_setting('max_wal_size')) / (1 + current_setting('checkpoint_completion_target')::float8)`;
  const timeout = rule.ms === undefined ? sql`current_setting('checkpoint_timeout')::interval` : sql`${rule.ms} * interval '1 millisecond'`;
  const [row] = await select<{ due: boolean }>(
    db,
    sql`select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), c.redo_lsn) > ${bytes}
        or (pg_wal_lsn_diff(pg_current_wal_insert_lsn(), c.checkpoint_lsn) > ${TIMED_CHECKPOINT_MIN_WAL}
          and clock_timestamp() - c.checkpoint_time >= ${timeout}) as due
      from pg_control_checkpoint() c`,
  );
  return row?.due === true;
}

/** A checkpoint: what the WAL before it recorded is in the tables, and its segments can be recycled. */
export async function checkpoint(db: Db): Promise<void> {
  await db.orm.execute(sql`checkpoint`);
}
