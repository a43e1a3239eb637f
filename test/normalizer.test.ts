import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app';
import { type Db, type Query, type Row, rows } from '../src/db/client';
import { openPostgres } from '../src/db/postgres';
import { normalizeNext } from '../src/ingest/normalize';
import { Normalizer } from '../src/ingest/normalizer';
import { ingestPipeline } from '../src/ingest/pipeline';
import { backlog } from '../src/ingest/queue';
import { replayEvents } from '../src/ingest/replay';
import type { BatchAnswer } from './support/batch';
import { databases, truncateAll, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';
import { post } from './support/events';
import { sampleOf } from './support/exposition';
import { runStory } from './support/run-events';
import { count, snapshot } from './support/snapshot';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

const runIdOf = (event: unknown) => (event as { run: { runId: string } }).run.runId;

/** An unlabelled sample's value at GET /metrics. */
const metric = async (app: { request: (path: string) => Response | Promise<Response> }, name: string) =>
  sampleOf(await (await app.request('/metrics')).text(), name);

/** A trigger that fails the normalization of any run of the job `explode` (a poisoned event). */
async function withExplosiveJob<T>(db: Db, body: () => Promise<T>): Promise<T> {
  await db.orm.execute(sql`create or replace function pedigree_test_explode() returns trigger language plpgsql as $$
    begin if new.job_name = 'explode' then raise exception 'boom'; end if; return new; end $$`);
  await db.orm.execute(
    sql`create trigger pedigree_test_explode before insert on runs for each row execute function pedigree_test_explode()`,
  );
  try {
    return await body();
  } finally {
    await db.orm.execute(sql`drop trigger pedigree_test_explode on runs`);
  }
}

describe.each(databases)('acceptance apart from normalization on $name', (database) => {
  const ctx = useDatabase(database);
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
  });
  /** The app, every answer checked against its declaration. */
  const checked = () => ({ request: (path: string, init?: RequestInit) => declared.request(ctx().app, path, init) });

  it('answers 201 once the event is stored and queued, before it is normalized', async () => {
    const { db } = ctx();
    const app = checked();
    await truncateAll(db);
    const story = runStory();
    const res = await post(app, story.events[0], { wait: false });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    expect(body.normalization).toBeUndefined();
    expect(res.headers.get('preference-applied')).toBeNull();
    expect(await count(db, 'lineage_events')).toBe(1);
    expect(await count(db, 'pending_events', `event_id = '${body.id}'`)).toBe(1);
    expect(await count(db, 'runs')).toBe(0);

    // Asking to wait normalizes it (and whatever was queued before it) before the answer.
    const waited = await post(app, story.events[2], { wait: false, path: '/api/v1/lineage?wait=normalized' });
    expect(((await waited.json()) as Json).normalization).toBe('normalized');
    expect(waited.headers.get('preference-applied')).toBe('wait=normalized');
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);

    // The same event again: stored once, not queued again, and normalized already.
    const again = await post(app, story.events[0], { headers: { prefer: 'respond-async, wait="normalized"' } });
    expect(((await again.json()) as Json).normalization).toBe('normalized');
    expect(await count(db, 'lineage_events')).toBe(2);
    expect(await count(db, 'pending_events')).toBe(0);
  });

  it('counts the backlog up to a bound, and beyond reads it from the ends of the queue: never low', async () => {
    const { db, app } = ctx();
    await truncateAll(db);
    const events = Array.from({ length: 6 }, () => runStory().events).flat();
    for (const event of events) expect((await post(app, event, { wait: false })).status).toBe(201);
    const firstQueued = async () =>
      Number(
        (
          await rows<{ t: string }>(
            db.orm,
            sql`select extract(epoch from accepted_at) * 1000 as t from pending_events order by seq limit 1`,
          )
        )[0]!.t,
      );
    expect(await backlog(db)).toEqual({ events: 24, oldestAcceptedAt: await firstQueued(), failed: 0 });
    expect((await backlog(db, 10)).events).toBe(24);
    // Events claimed out of turn (another instance's batch in flight): counted, they are gone; in the span, not.
    await db.orm.execute(sql`delete from pending_events where seq in (select seq from pending_events order by seq offset 5 limit 4)`);
    expect((await backlog(db)).events).toBe(20);
    expect((await backlog(db, 10)).events).toBe(24);
    await ctx().normalizer.drain();
    expect(await backlog(db, 10)).toEqual({ events: 0, failed: 0 });
  });

  it('drains a backlog in batches to the state one-by-one normalization gives', async () => {
    const { db } = ctx();
    const app = checked();
    const stories = Array.from({ length: 12 }, (_, i) => runStory({ job: `backlog_${i % 3}`, input: `public.in_${i % 4}` }));
    const events = stories.flatMap((s) => s.events);

    await truncateAll(db);
    for (const e of events) expect((await post(app, e)).status).toBe(201);
    const oneByOne = await snapshot(db);

    await truncateAll(db);
    // Reversed, all accepted first: the normalizer finds them queued and takes them in batches of 7.
    for (const e of [...events].reverse()) expect((await post(app, e, { wait: false })).status).toBe(201);
    expect(await count(db, 'pending_events')).toBe(events.length);
    const normalizer = new Normalizer(db, { maxBatchEvents: 7 });
    const drained = await normalizer.drain();
    expect(drained).toEqual({ normalized: events.length, failed: [] });
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await snapshot(db)).toEqual(oneByOne);
  });

  it('after a restart, a new normalizer takes up what was queued, planned again from the stored text', async () => {
    const { db, config } = ctx();
    const app = checked();
    const story = runStory();
    await truncateAll(db);
    for (const e of story.events) await post(app, e);
    const reference = await snapshot(db);

    await truncateAll(db);
    const ids: string[] = [];
    for (const e of story.events) ids.push(((await (await post(app, e, { wait: false })).json()) as Json).id);
    // The process that accepted them is gone: a new pipeline over the same database, started as the service starts it.
    const { normalizer } = ingestPipeline(db, config);
    normalizer.start();
    try {
      const settled = await normalizer.settled(ids, 30_000);
      expect([...settled.values()].map((s) => s.state)).toEqual(['normalized', 'normalized', 'normalized', 'normalized']);
    } finally {
      await normalizer.stop();
    }
    expect(await snapshot(db)).toEqual(reference);
  });

  // Two connections: on PGlite's one, a claim waits for the batch before it instead of passing its events.
  it.runIf(database.name === 'postgres')(
    "drains what the loop's batch in flight holds too: it returns once those events are normalized, not claimed",
    async () => {
      const { db, config } = ctx();
      await truncateAll(db);
      await db.orm.execute(sql`create or replace function pedigree_test_slow() returns trigger language plpgsql as $$
        begin if new.job_name = 'slow' then perform pg_sleep(0.6); end if; return new; end $$`);
      await db.orm.execute(sql`create trigger pedigree_test_slow before insert on runs for each row execute function pedigree_test_slow()`);
      const pipeline = ingestPipeline(db, config, { lingerMs: 0 });
      const app = createApp({ db, ...pipeline, config });
      pipeline.normalizer.start();
      try {
        const story = runStory({ job: 'slow' });
        expect((await post(app, story.events[0], { wait: false })).status).toBe(201);
        // The loop's batch holds the event (its claim is locked) and sleeps in its trigger.
        await vi.waitFor(async () => expect(await count(db, 'pending_events')).toBe(1));
        await new Promise((r) => setTimeout(r, 200));
        await pipeline.normalizer.drain();
        expect(await count(db, 'pending_events')).toBe(0);
        expect(await count(db, 'runs', `id = '${story.runId}'`)).toBe(1);
      } finally {
        await pipeline.normalizer.stop();
        await db.orm.execute(sql`drop trigger pedigree_test_slow on runs`);
      }
    },
  );

  it('a started normalizer normalizes what is accepted without being asked', async () => {
    const { db, config } = ctx();
    await truncateAll(db);
    const pipeline = ingestPipeline(db, config);
    const app = createApp({ db, ...pipeline, config });
    pipeline.normalizer.start();
    try {
      const story = runStory();
      for (const e of story.events) expect((await post(app, e, { wait: false })).status).toBe(201);
      await vi.waitFor(async () => expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1), {
        timeout: 20_000,
        interval: 50,
      });
      await vi.waitFor(async () => expect(await count(db, 'pending_events')).toBe(0), { timeout: 20_000, interval: 50 });
    } finally {
      await pipeline.normalizer.stop();
    }
  });

  it('sets a poisoned event aside with its error, normalizes the others, lists it, and replay retries it', async () => {
    const { db } = ctx();
    const app = checked();
    await truncateAll(db);
    const bad = runStory({ job: 'explode', input: 'public.only_bad_reads_this', output: '/only/bad/writes/this' }).events[2]!;
    const bad2 = runStory({ job: 'explode' }).events[0]!;
    const goods = Array.from({ length: 9 }, (_, i) => runStory({ job: `neighbour_${i}` }).events[2]!);
    const failuresBefore = await metric(app, 'pedigree_normalization_failures_total');
    const alone = await withExplosiveJob(db, async () => {
      // One event, alone.
      const res = await post(app, bad);
      expect(res.status).toBe(201);
      const answer = (await res.json()) as Json;
      expect(answer).toMatchObject({ normalization: 'failed', normalizationError: expect.stringContaining('boom') });

      // Among others in one batch: the batch is bisected, the others are normalized.
      const batchRes = await post(app, [goods[0], goods[1], goods[2], bad2, ...goods.slice(3)], { path: '/api/v1/lineage/batch' });
      const batch = (await batchRes.json()) as BatchAnswer & Json;
      expect(batch.summary).toMatchObject({ received: 10, successful: 10, failed: 0 });
      expect(batch.normalization).toEqual({
        normalized: 9,
        failed: 1,
        pending: 0,
        failures: [{ index: 3, id: expect.any(String), error: expect.stringContaining('boom') }],
      });
      return answer;
    });
    expect(await count(db, 'runs')).toBe(9);
    expect(await count(db, 'jobs', `name = 'explode'`)).toBe(0);
    expect(await count(db, 'datasets', `name in ('public.only_bad_reads_this', '/only/bad/writes/this')`)).toBe(0);
    expect(await count(db, 'lineage_events')).toBe(11);

    // Reported where an operator looks: counted as they fail, and as many as are set aside now.
    expect((await metric(app, 'pedigree_normalization_failures_total')) - failuresBefore).toBe(2);
    expect(await metric(app, 'pedigree_normalization_failed_events')).toBe(2);
    const health = (await (await app.request('/healthcheck')).json()) as Json;
    expect(health.normalization).toMatchObject({ backlog: 0, failed: 2 });

    const listed = (await (await app.request('/api/v1/events/failed')).json()) as Json;
    expect(listed.totalCount).toBe(2);
    expect(listed.failed.find((f: Json) => f.id === alone.id)).toMatchObject({
      error: expect.stringContaining('boom'),
      attempts: 1,
      retrying: false,
      kind: 'run',
      eventType: 'COMPLETE',
      runId: runIdOf(bad),
    });

    // Fixed (the trigger is gone): replay retries what was set aside.
    expect(await replayEvents(db, { failedOnly: true })).toEqual({ events: 2, failed: [] });
    expect(await count(db, 'normalization_failures')).toBe(0);
    expect(await count(db, 'jobs', `name = 'explode'`)).toBe(1);
    expect(await count(db, 'runs')).toBe(11);
    expect(await metric(app, 'pedigree_normalization_failed_events')).toBe(0);
    expect(((await (await app.request('/healthcheck')).json()) as Json).normalization.failed).toBe(0);
  });

  it('counts a failure again when a retry fails, through the retry route', async () => {
    const { db } = ctx();
    const app = checked();
    await truncateAll(db);
    const bad = runStory({ job: 'explode' }).events[0]!;
    await withExplosiveJob(db, async () => {
      const first = (await (await post(app, bad)).json()) as Json;
      expect(first.normalization).toBe('failed');
      const retry = await app.request('/api/v1/events/failed/retry', { method: 'POST' });
      expect(retry.status).toBe(202);
      expect(await retry.json()).toEqual({ queued: 1 });
      expect(((await (await post(app, bad)).json()) as Json).normalization).toBe('failed');
      const listed = (await (await app.request('/api/v1/events/failed')).json()) as Json;
      expect(listed.failed).toEqual([expect.objectContaining({ id: first.id, attempts: 2, retrying: false })]);
    });
  });

  it('two normalizers over one database claim different events, each exactly once', async () => {
    const { db, url } = ctx();
    const app = checked();
    await truncateAll(db);
    const stories = Array.from({ length: 30 }, (_, i) => runStory({ job: `shared_${i % 4}`, input: `public.shared_${i % 3}` }));
    const events = stories.flatMap((s) => s.events);
    for (const e of events) await post(app, e, { wait: false });
    // Another instance: its own connections when the database is a server.
    const other: Db = url ? openPostgres(url, { max: 4 }) : db;
    try {
      const drain = async (on: Db) => {
        const ids: string[] = [];
        const none = { take: () => undefined };
        for (;;) {
          const outcome = await normalizeNext(on, { events: 5, bytes: 1 << 30 }, none);
          if (outcome.claimed === 0) return ids;
          expect(outcome.failed).toEqual([]);
          ids.push(...outcome.normalized);
        }
      };
      const [a, b] = await Promise.all([drain(db), drain(other)]);
      const all = [...a, ...b];
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(events.length);
      if (url) {
        // Both took part (their transactions overlapped on the shared jobs and datasets).
        expect(a.length).toBeGreaterThan(0);
        expect(b.length).toBeGreaterThan(0);
      }
    } finally {
      if (other !== db) await other.close();
    }
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs', `state = 'COMPLETE'`)).toBe(30);
    expect(await count(db, 'runs', 'job_version_id is null')).toBe(0);
  });

  it('a loop that yields to acceptance waits, after each batch, its duration times the ratio before the next, waiters or not', async () => {
    const { db, config } = ctx();
    await truncateAll(db);
    // The batches are the transactions that claim from the queue; the writer's do not.
    const batches: { start: number; end: number }[] = [];
    const dialect = new PgDialect();
    const timed: Db = {
      ...db,
      transaction: <T>(fn: (query: Query) => Promise<T>) => {
        const span = { start: performance.now(), end: 0 };
        let claims = false;
        return db
          .transaction((query) => {
            const watch = (statement: SQL) => {
              if (/skip locked/.test(dialect.sqlToQuery(statement).sql)) claims = true;
            };
            const watched = Object.assign(
              <R = Row>(statement: SQL) => {
                watch(statement);
                return query<R>(statement);
              },
              {
                raw: query.raw,
                maxRows: query.maxRows,
                unprepared: <R = Row>(statement: SQL) => {
                  watch(statement);
                  return query.unprepared<R>(statement);
                },
              },
            );
            return fn(watched);
          })
          .finally(() => {
            span.end = performance.now();
            if (claims) batches.push(span);
          });
      },
    };
    const ratio = 3;
    const pipeline = ingestPipeline(timed, config, { yieldRatio: ratio, lingerMs: 0 });
    const app = createApp({ db: timed, ...pipeline, config });
    pipeline.normalizer.start();
    try {
      // One waited event after another: without the yield, each batch would follow the last at once.
      for (let i = 0; i < 8; i++) {
        const res = await post(app, runStory({ runId: randomUUID() }).events[0]);
        expect(((await res.json()) as Json).normalization).toBe('normalized');
      }
    } finally {
      await pipeline.normalizer.stop();
    }
    expect(batches.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < batches.length; i++) {
      const last = batches[i - 1]!;
      // The loop measures a batch from before its transaction to after it: at least the transaction's time.
      expect(batches[i]!.start).toBeGreaterThanOrEqual(last.end + ratio * (last.end - last.start) - 2);
    }
  });

  it('an event deleted after it was queued leaves the queue unnormalized, though acceptance handed its text over', async () => {
    const { db, config } = ctx();
    await truncateAll(db);
    const pipeline = ingestPipeline(db, config);
    const app = createApp({ db, ...pipeline, config });
    const story = runStory({ runId: randomUUID() });
    const res = await post(app, story.events[0], { wait: false });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as Json;
    // As retention deletes an old run's events: the queue row stays, the normalizer holds the text.
    await db.orm.execute(sql`delete from lineage_events where id = ${id}`);
    expect((await pipeline.normalizer.drain()).normalized).toBe(1);
    expect(await count(db, 'pending_events')).toBe(0);
    expect(await count(db, 'runs')).toBe(0);
    expect(await count(db, 'jobs')).toBe(0);
  });

  it('a request whose events are not normalized in its time is answered pending', async () => {
    const { db, config } = ctx();
    await truncateAll(db);
    const pipeline = ingestPipeline(db, config);
    await pipeline.normalizer.stop();
    const app = createApp({ db, ...pipeline, config: { ...config, normalize: { ...config.normalize, waitSeconds: 1 } } });
    const res = await post(app, runStory({ runId: randomUUID() }).events[0]);
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).normalization).toBe('pending');
    expect(await count(db, 'pending_events')).toBe(1);
  });
});
