import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { type Config, loadConfig } from '../src/config';
import type { Db } from '../src/db/client';
import { loggerTo, NormalizerThread } from '../src/ingest/normalizer-thread';
import { acceptingInto } from '../src/ingest/pipeline';
import type { Logger } from '../src/log';
import { Metrics } from '../src/metrics';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { eventually } from './support/eventually';
import { sampleOf } from './support/exposition';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';

/** Where the crashing entry (support/crashing-normalize-thread.ts) marks that it died; not imported: it runs a thread. */
const crashMarker = (databaseUrl: string) => `${tmpdir()}/pedigree-thread-crashed-${new URL(databaseUrl).pathname.slice(1)}`;

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

/** What the process's logger is told (the thread's records, its exits), kept for the assertions. */
function recordingLogger() {
  const records: { level: string; fields: Json; message: string }[] = [];
  const at = (level: string) => ((fields: Json, message: string) => void records.push({ level, fields, message })) as Logger['error'];
  return {
    records,
    get errors() {
      return records.filter((r) => r.level === 'error');
    },
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
  };
}

/** The app accepting into the thread, as the service builds it (service.ts). */
const appAccepting = (db: Db, thread: NormalizerThread, config: Config, metrics: Metrics) =>
  createApp({ db, writer: acceptingInto(db, thread, config, metrics), normalizer: thread, config, metrics });

/** Each thread of this process, by its id, with its nice value (Linux: /proc/self/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After the command name (in parentheses, which may hold spaces): state is field 3, nice field 19.
      nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return nices;
}

// The thread opens its own connections: PostgreSQL only (PGlite normalizes on the thread that holds it).
describe.each(databases.filter((d) => d.name === 'postgres'))('the normalizer on its own thread, on $name', (database) => {
  const ctx = useDatabase(database);
  const config = loadConfig({});
  const metrics = new Metrics({ maxProducers: 10 });
  const logger = recordingLogger();
  let thread: NormalizerThread;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    thread = new NormalizerThread({
      databaseUrl: ctx().url!,
      poolSize: 3,
      normalizer: { maxBatchEvents: 50, concurrency: 1 },
      progress: metrics.normalization,
      logger,
    });
    await thread.start();
    app = appAccepting(ctx().db, thread, config, metrics);
  });
  afterAll(() => thread.stop());

  it('answers a request that waits once the thread normalized its events, and counts them in this process', async () => {
    await truncateAll(ctx().db);
    const before = sampleOf(await metrics.text(), 'pedigree_events_normalized_total');
    const batchedBefore = sampleOf(await metrics.text(), 'pedigree_normalization_batch_events_sum');
    const story = runStory();
    for (const event of story.events) {
      const res = await post(app, event);
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).normalization).toBe('normalized');
    }
    expect(await count(ctx().db, 'runs', `id = '${story.runId}'`)).toBe(1);
    expect(await count(ctx().db, 'pending_events')).toBe(0);
    // The job's document was built before the answer: the listing shows the run's last state.
    const jobs = (await (await app.request('/api/v1/namespaces/spark%3A%2F%2Fcluster/jobs')).json()) as Json;
    expect(jobs.jobs.map((j: Json) => j.latestRun?.state)).toEqual(['COMPLETED']);
    const after = sampleOf(await metrics.text(), 'pedigree_events_normalized_total');
    expect(after - before).toBe(story.events.length);
    // Its batches too: each event waited for alone, so a batch each.
    const batched = sampleOf(await metrics.text(), 'pedigree_normalization_batch_events_sum');
    expect(batched - batchedBefore).toBe(story.events.length);
  });

  it('normalizes what is accepted without anyone waiting, behind the answers', async () => {
    await truncateAll(ctx().db);
    const stories = Array.from({ length: 20 }, (_, i) => runStory({ job: `etl.thread_${i}` }));
    const answers = await Promise.all(stories.flatMap((s) => s.events.map((e) => post(app, e, { wait: false }))));
    expect(answers.map((r) => r.status).every((s) => s === 201)).toBe(true);
    await eventually(async () => (await count(ctx().db, 'pending_events')) === 0);
    expect(await count(ctx().db, 'runs')).toBe(stories.length);
    expect(await count(ctx().db, 'normalization_failures')).toBe(0);
  });

  it("logs through this process's logger: an event set aside, with its error and the thread named", async () => {
    await truncateAll(ctx().db);
    const { db } = ctx();
    await db.orm.execute(sql`create or replace function pedigree_test_explode() returns trigger language plpgsql as $$
      begin if new.job_name = 'explode' then raise exception 'boom'; end if; return new; end $$`);
    await db.orm.execute(
      sql`create trigger pedigree_test_explode before insert on runs for each row execute function pedigree_test_explode()`,
    );
    try {
      const event = runStory({ job: 'explode' }).events[0];
      const body = (await (await post(app, event)).json()) as Json;
      expect(body.normalization).toBe('failed');
      const record = logger.records.find((r) => r.level === 'warn' && r.fields.eventId === body.id);
      expect(record).toMatchObject({ message: 'event set aside: its normalization failed', fields: { thread: 'normalizer' } });
      expect(record!.fields.error).toMatch(/boom/);
      // Counted in this process's metrics, as the thread set it aside.
      expect(sampleOf(await metrics.text(), 'pedigree_normalization_failures_total')).toBeGreaterThanOrEqual(1);
    } finally {
      await db.orm.execute(sql`drop trigger pedigree_test_explode on runs`);
    }
  });

  it('drains through the thread when asked (a clean stop), answering what it did', async () => {
    await truncateAll(ctx().db);
    // The thread's loop may take some of them first: between the two, all are normalized.
    const story = runStory({ job: 'etl.drained' });
    await Promise.all(story.events.map((e) => post(app, e, { wait: false })));
    const { normalized, failed } = await thread.drain();
    expect(failed).toEqual([]);
    expect(normalized).toBeGreaterThanOrEqual(0);
    expect(await count(ctx().db, 'pending_events')).toBe(0);
    expect(await count(ctx().db, 'runs', `id = '${story.runId}'`)).toBe(1);
  });
});

describe.each(databases.filter((d) => d.name === 'postgres'))('a normalization thread with a nice value, on $name', (database) => {
  const ctx = useDatabase(database);

  // Linux keeps a nice value per thread; elsewhere the thread keeps the process's priority (and says so).
  it.runIf(existsSync('/proc/thread-self'))('runs at that nice value while the threads that accept keep theirs', async () => {
    const before = threadNices();
    const mine = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    const logger = recordingLogger();
    const thread = new NormalizerThread({ databaseUrl: ctx().url!, poolSize: 2, normalizer: {}, nice: 7, logger });
    await thread.start();
    try {
      const started = [...threadNices()].filter(([tid]) => !before.has(tid));
      expect(started.filter(([, nice]) => nice === 7)).toHaveLength(1);
      expect(threadNices().get(mine)).toBe(before.get(mine));
      expect([...threadNices()].filter(([tid, nice]) => before.has(tid) && nice !== before.get(tid))).toEqual([]);
      expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    } finally {
      await thread.stop();
    }
  });
});

describe.each(databases.filter((d) => d.name === 'postgres'))('a normalization thread that lingers, on $name', (database) => {
  const ctx = useDatabase(database);

  // Nothing else wakes the thread meanwhile: its poll for other instances' events is a minute away.
  it('holds an event nobody waits for as long as PEDIGREE_NORMALIZE_LINGER_MS says, then normalizes it', async () => {
    await truncateAll(ctx().db);
    const config = loadConfig({ PEDIGREE_NORMALIZE_LINGER_MS: '1500' });
    const metrics = new Metrics({ maxProducers: 10 });
    const thread = new NormalizerThread({
      databaseUrl: ctx().url!,
      poolSize: 2,
      normalizer: { concurrency: 1, lingerMs: config.normalize.lingerMs, idlePollMs: 60_000 },
      progress: metrics.normalization,
    });
    await thread.start();
    try {
      const app = appAccepting(ctx().db, thread, config, metrics);
      // One event a request waits for (it warms the thread's statements), then one nobody waits for.
      expect((await post(app, runStory({ job: 'etl.linger_waited' }).events[0]!)).status).toBe(201);
      expect((await post(app, runStory({ job: 'etl.linger_held' }).events[0]!, { wait: false })).status).toBe(201);
      // With the default (50 ms) it would be normalized by now.
      await new Promise((r) => setTimeout(r, 700));
      expect(await count(ctx().db, 'pending_events')).toBe(1);
      await eventually(async () => (await count(ctx().db, 'pending_events')) === 0);
      expect(await count(ctx().db, 'runs')).toBe(2);
    } finally {
      await thread.stop();
    }
  });
});

describe.each(databases.filter((d) => d.name === 'postgres'))('a normalization thread that fails, on $name', (database) => {
  const ctx = useDatabase(database);
  afterAll(() => rm(crashMarker(ctx().url!), { force: true }));

  it('fails to start when its entry cannot run, and is not tried again', async () => {
    const logger = recordingLogger();
    const thread = new NormalizerThread({
      databaseUrl: ctx().url!,
      poolSize: 1,
      normalizer: {},
      logger,
      entry: new URL('./support/no-such-thread.ts', import.meta.url),
    });
    await expect(thread.start()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1500));
    expect(logger.errors.filter((e) => e.message.includes('starting it again'))).toEqual([]);
    await thread.stop();
  });

  it('is started again after it dies, and what was accepted meanwhile is normalized', async () => {
    await truncateAll(ctx().db);
    const marker = crashMarker(ctx().url!);
    const logger = recordingLogger();
    const metrics = new Metrics({ maxProducers: 10 });
    const config = loadConfig({});
    const thread = new NormalizerThread({
      databaseUrl: ctx().url!,
      poolSize: 3,
      normalizer: { concurrency: 1 },
      progress: metrics.normalization,
      logger,
      entry: new URL('./support/crashing-normalize-thread.ts', import.meta.url),
    });
    await thread.start();
    try {
      const app = appAccepting(ctx().db, thread, config, metrics);
      await eventually(async () => existsSync(marker) && logger.errors.some((e) => e.message.includes('starting it again')));
      const story = runStory({ job: 'etl.after_crash' });
      for (const event of story.events) expect((await post(app, event, { wait: false })).status).toBe(201);
      // A waiter after the restart is answered by the new thread.
      const res = await post(app, runStory({ job: 'etl.waited' }).events[0]);
      expect(((await res.json()) as Json).normalization).toBe('normalized');
      await eventually(async () => (await count(ctx().db, 'pending_events')) === 0);
      expect(await count(ctx().db, 'runs')).toBe(2);
      expect(logger.errors.find((e) => e.message.includes('starting it again'))?.fields.code).toBe(1);
    } finally {
      await thread.stop();
    }
  });
});

describe('PEDIGREE_NORMALIZE_THREAD', () => {
  const url = { DATABASE_URL: 'postgres://db/pedigree' };
  it('is left to the service when unset (a thread with PostgreSQL on a machine with CPUs to spare)', () => {
    expect(loadConfig(url).normalize.thread).toBeUndefined();
    expect(loadConfig({}).normalize.thread).toBeUndefined();
  });
  it('says yes or no with PostgreSQL', () => {
    expect(loadConfig({ ...url, PEDIGREE_NORMALIZE_THREAD: 'true' }).normalize.thread).toBe(true);
    expect(loadConfig({ ...url, PEDIGREE_NORMALIZE_THREAD: 'off' }).normalize.thread).toBe(false);
    expect(loadConfig({ PEDIGREE_NORMALIZE_THREAD: 'false' }).normalize.thread).toBe(false);
  });
  it('is refused by name when it cannot be: a thread with embedded PGlite, or not a yes or no', () => {
    expect(() => loadConfig({ PEDIGREE_NORMALIZE_THREAD: 'true' })).toThrow(/PEDIGREE_NORMALIZE_THREAD=true needs DATABASE_URL/);
    expect(() => loadConfig({ ...url, PEDIGREE_NORMALIZE_THREAD: 'maybe' })).toThrow(/PEDIGREE_NORMALIZE_THREAD must be true or false/);
  });
});

describe("the thread's log records", () => {
  it('carry an error as pino logs it, its own fields (a SQLSTATE code) included', async () => {
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Json>((resolve) => port2.once('message', resolve));
    const err = Object.assign(new Error('terminating connection'), { code: '57P01' });
    loggerTo(port1).error({ err, batch: 3 }, 'normalization paused, events stay queued');
    const message = await received;
    port1.close();
    expect(message).toMatchObject({
      kind: 'log',
      level: 'error',
      message: 'normalization paused, events stay queued',
      fields: { batch: 3, err: { type: 'Error', message: 'terminating connection', code: '57P01' } },
    });
    expect(message.fields.err.stack).toMatch(/terminating connection/);
  });
});

describe('PEDIGREE_NORMALIZE_LINGER_MS', () => {
  it("is left to the normalizer's default when unset, and read in milliseconds, 0 included", () => {
    expect(loadConfig({}).normalize.lingerMs).toBeUndefined();
    expect(loadConfig({ PEDIGREE_NORMALIZE_LINGER_MS: '0' }).normalize.lingerMs).toBe(0);
    expect(loadConfig({ PEDIGREE_NORMALIZE_LINGER_MS: '500' }).normalize.lingerMs).toBe(500);
  });
  it('is refused by name when it is not a number of milliseconds up to a minute', () => {
    for (const raw of ['-1', '60001', '2.5', 'soon'])
      expect(() => loadConfig({ PEDIGREE_NORMALIZE_LINGER_MS: raw })).toThrow(
        /PEDIGREE_NORMALIZE_LINGER_MS must be an integer from 0 to 60000/,
      );
  });
});

describe('PEDIGREE_NORMALIZE_NICE', () => {
  it('lowers the normalization thread by 10 unless told otherwise; 0 keeps the process priority', () => {
    expect(loadConfig({}).normalize.nice).toBe(10);
    expect(loadConfig({ PEDIGREE_NORMALIZE_NICE: '0' }).normalize.nice).toBe(0);
    expect(loadConfig({ PEDIGREE_NORMALIZE_NICE: ' 19 ' }).normalize.nice).toBe(19);
  });
  it('is refused by name outside 0 to 19 (a thread may only be lowered)', () => {
    for (const raw of ['-5', '20', '2.5', 'low'])
      expect(() => loadConfig({ PEDIGREE_NORMALIZE_NICE: raw })).toThrow(/PEDIGREE_NORMALIZE_NICE must be an integer from 0 to 19/);
  });
});
