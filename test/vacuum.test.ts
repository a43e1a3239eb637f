import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { type Db, rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPglite } from '../src/db/pglite';
import { checkpoint, checkpointDue, type DueTable, keepUp, tablesDue } from '../src/db/vacuum';
import { Normalizer } from '../src/ingest/normalizer';
import { acceptingInto } from '../src/ingest/pipeline';
import { acceptEvents } from '../src/ingest/store';
import { asAccepted, post } from './support/events';
import { eventually } from './support/eventually';
import { runStory } from './support/run-events';

interface TableStats {
  name: string;
  dead: number;
  vacuumed: boolean;
  analyzed: boolean;
}
const stats = async (db: Db): Promise<TableStats[]> =>
  rows<TableStats>(
    db.orm,
    sql`select 'public.' || quote_ident(relname) as name, n_dead_tup::int as dead, last_vacuum is not null as vacuumed,
      last_analyze is not null as analyzed from pg_stat_user_tables order by relname`,
  );

/**
 * PGlite has no autovacuum: its normalizer does autovacuum's work (src/db/vacuum.ts), so that rows rewritten
 * in place (documents, jobs, runs) do not grow the embedded database for ever, and its reads are planned
 * with statistics.
 */
describe('the embedded database kept up as autovacuum would', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db, await readMigrations());
  }, 60_000);
  afterAll(() => db?.close());

  it("finds a table due for VACUUM and ANALYZE by autovacuum's rules, and keeping it up clears its dead rows", async () => {
    await db.autocommit((query) => query(sql`create table churn (id int primary key, v int)`));
    await db.autocommit((query) => query(sql`insert into churn select g, 0 from generate_series(1, 100) g`));
    for (let i = 0; i < 5; i++) await db.autocommit((query) => query(sql`update churn set v = v + 1`));
    // PGlite writes its statistics at most once a second.
    let due: DueTable[] = [];
    await eventually(async () => {
      due = await tablesDue(db);
      return due.some((t) => t.name === 'public.churn');
    });
    // 500 rows rewritten: over 50 + 20% of 100 dead, and 50 + 10% changed.
    expect(due.find((t) => t.name === 'public.churn')).toEqual({ name: 'public.churn', vacuum: true, analyze: true });
    // A table nothing wrote to is not due.
    expect(due.map((t) => t.name)).not.toContain('public.model_stages');
    await keepUp(db, due.find((t) => t.name === 'public.churn')!);
    const after = (await stats(db)).find((t) => t.name === 'public.churn');
    expect(after).toMatchObject({ dead: 0, vacuumed: true, analyzed: true });
    expect((await tablesDue(db)).map((t) => t.name)).not.toContain('public.churn');
    await db.autocommit((query) => query(sql`drop table churn`));
  });

  it('the normalizer keeps up what its batches made due, a table after each batch, once the queue is empty', async () => {
    const config = loadConfig({});
    const normalizer = new Normalizer(db, { upkeepMs: 0 });
    const app = createApp({ db, writer: acceptingInto(db, normalizer), normalizer, config });
    // Runs of one job, each started then completed: its run rows are rewritten in place.
    for (let i = 0; i < 40; i++) {
      for (const event of runStory({ job: 'kept.up' }).events) expect((await post(app, event, { wait: false })).status).toBe(201);
    }
    await normalizer.drain();
    let due: DueTable[] = [];
    await eventually(async () => {
      due = await tablesDue(db);
      return due.some((t) => t.name === 'public.runs');
    });
    expect(due.map((t) => t.name)).toEqual(expect.arrayContaining(['public.runs', 'public.lineage_events_default']));
    expect(due.map((t) => t.name)).not.toContain('public.lineage_events');
    // Each drain ends with a batch that finds the queue empty: it keeps one table up, or looks for those due.
    const kept = (now: TableStats[]) =>
      due.every((table) => {
        const { vacuumed, analyzed } = now.find((t) => t.name === table.name)!;
        return (!table.vacuum || vacuumed) && (!table.analyze || analyzed);
      });
    for (let i = 0; i < 3 * due.length && !kept(await stats(db)); i++) await normalizer.drain();
    expect(kept(await stats(db))).toBe(true);
    await normalizer.stop();
  }, 60_000);

  it('carries its counters across a clean close, which PGlite forgets them at: changes under the thresholds in each run add up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-upkeep-'));
    const open = async () => {
      const opened = await openPglite(dir);
      await migrate(opened, await readMigrations());
      return opened;
    };
    const dueFor = async (on: Db) => (await tablesDue(on)).find((t) => t.name === 'public.inserts');
    const insert = (on: Db, from: number) =>
      on.autocommit((query) => query(sql`insert into inserts select g from generate_series(${from}::int, ${from + 599}::int) g`));
    try {
      let on = await open();
      await on.autocommit((query) => query(sql`create table inserts (id int primary key)`));
      // 600 rows inserted: under the insert threshold (1,000 + 20% of the rows, none when vacuumed).
      await insert(on, 1);
      await eventually(async () => (await dueFor(on)) !== undefined);
      expect(await dueFor(on)).toMatchObject({ vacuum: false });
      await on.close();
      // 600 more after a restart: 1,200 inserted since the last vacuum, due (PGlite alone counts 600).
      on = await open();
      await insert(on, 601);
      await eventually(async () => (await dueFor(on))?.vacuum === true);
      await keepUp(on, (await dueFor(on))!);
      expect(await dueFor(on)).toBeUndefined();
      await on.close();
      // Kept up, the table starts the next run with nothing carried.
      on = await open();
      expect(await dueFor(on)).toBeUndefined();
      await on.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const redo = async () => (await rows<{ lsn: string }>(db.orm, sql`select redo_lsn::text as lsn from pg_control_checkpoint()`))[0]!.lsn;
  const acceptStories = async (job: string, stories: number) => {
    const prepared = asAccepted(Array.from({ length: stories }, () => runStory({ job }).events).flat());
    for (let i = 0; i < prepared.length; i += 100) await acceptEvents(db, prepared.slice(i, i + 100));
    return prepared.length;
  };
  const never = 3_600_000;

  it('checkpoints as its WAL grows, which PGlite never does by itself', async () => {
    const before = await redo();
    // A checkpoint is due once the WAL since the last one's redo point passes the bytes given.
    expect(await checkpointDue(db, { bytes: 1024 ** 3, ms: never })).toBe(false);
    expect(await checkpointDue(db, { bytes: 0, ms: never })).toBe(true);
    expect(await acceptStories('checkpointed', 250)).toBe(1000);
    const normalizer = new Normalizer(db, { checkpoint: { bytes: 64 * 1024, ms: never }, upkeepMs: never });
    expect((await normalizer.drain()).normalized).toBe(1000);
    expect(await redo()).not.toBe(before);
    await normalizer.stop();
  }, 60_000);

  it('checkpoints idle once checkpoint_timeout has passed since WAL was written, as the checkpointer does', async () => {
    const wal = { bytes: 1024 ** 3 };
    await checkpoint(db);
    // Nothing written since the last checkpoint: none is due, however long ago it was.
    expect(await checkpointDue(db, { ...wal, ms: 0 })).toBe(false);
    expect(await acceptStories('idle', 10)).toBe(40);
    expect(await checkpointDue(db, { ...wal, ms: never })).toBe(false);
    expect(await checkpointDue(db, { ...wal, ms: 0 })).toBe(true);

    // 40 events, far under the WAL's rule and under the count it is looked at after: the empty queue looks.
    const before = await redo();
    const waiting = new Normalizer(db, { checkpoint: { ...wal, ms: never }, upkeepMs: never });
    expect((await waiting.drain()).normalized).toBe(40);
    expect(await redo()).toBe(before);
    await waiting.stop();
    expect(await acceptStories('idle', 10)).toBe(40);
    const timed = new Normalizer(db, { checkpoint: { ...wal, ms: 0 }, upkeepMs: never });
    expect((await timed.drain()).normalized).toBe(40);
    expect(await redo()).not.toBe(before);
    expect(await checkpointDue(db, { ...wal, ms: 0 })).toBe(false);
    await timed.stop();
  }, 60_000);
});
