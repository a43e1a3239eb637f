import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import Ajv2020 from 'ajv/dist/2020';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openPglite } from '../src/db/pglite';
import { LISTED_REJECTIONS } from '../src/ingest/import-report';
import { ingestPipeline } from '../src/ingest/pipeline';
import type { BatchAnswer } from './support/batch';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { count } from './support/snapshot';

const enc = new TextEncoder();
const BATCH = '/api/v1/lineage/batch';

/** A small valid JobEvent; `name` makes it distinct. */
const jobEvent = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventTime: '2024-05-01T10:00:00Z',
    producer: 'https://example.com/import-tests',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent',
    job: { namespace: 'imports', name },
    ...extra,
  });

/** A request body produced line by line as it is read: the batch never exists whole in the test either. */
function streamed(lines: Iterable<string>): ReadableStream<Uint8Array> {
  const iterator = lines[Symbol.iterator]();
  return new ReadableStream({
    pull(controller) {
      let text = '';
      for (let next = iterator.next(); ; next = iterator.next()) {
        if (next.done) {
          if (text) controller.enqueue(enc.encode(text));
          controller.close();
          return;
        }
        text += `${next.value}\n`;
        if (text.length >= 64 * 1024) break;
      }
      controller.enqueue(enc.encode(text));
    },
  });
}

function* repeat(n: number, line: (i: number) => string) {
  for (let i = 0; i < n; i++) yield line(i);
}

function postStream(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: ReadableStream,
  contentType: string,
) {
  return app.request(BATCH, { method: 'POST', headers: { 'content-type': contentType }, body, duplex: 'half' } as RequestInit);
}

const ndjson = (contentType = 'application/x-ndjson') => ({ path: BATCH, headers: { 'content-type': contentType } });

describe.each(databases)('batch import on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MAX_EVENT_BYTES: String(256 * 1024) });

  it('splits NDJSON by lines: a broken line is one rejected item, the events around it are stored', async () => {
    const { app, db } = ctx();
    const [a, b] = [jobEvent(`hostile-${randomUUID()}`), jobEvent(`hostile-${randomUUID()}`)];
    const res = await post(app, `${a}\n{broken\n${b}\n`, ndjson());
    const body = (await res.json()) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 3, successful: 2, failed: 1 });
    expect(body.failed_events).toEqual([
      expect.objectContaining({ index: 1, line: 2, status: 400, retriable: false, errors: [expect.objectContaining({ pointer: '' })] }),
    ]);
    for (const text of [a, b]) expect(await count(db, 'lineage_events', `raw = '${text}'`)).toBe(1);
  });

  it('answers as its OpenAPI entry says', async () => {
    const { app } = ctx();
    const doc = (await (await app.request('/openapi.json')).json()) as { components: { schemas: Record<string, unknown> } };
    const validate = new Ajv2020({ strict: false })
      .addSchema({ $id: 'doc', components: doc.components })
      .getSchema('doc#/components/schemas/BatchResult')!;
    const body = `${jobEvent('documented', { producer: 'not a uri' })}\n{broken\n${jobEvent('big', { padding: 'x'.repeat(300 * 1024) })}\n`;
    const answer = await (await post(app, body, ndjson())).json();
    expect(answer).toMatchObject({ summary: { received: 3, successful: 1, failed: 2 }, warnings: [expect.anything()] });
    expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    'application/x-ndjson',
    'application/ndjson',
    'application/jsonl',
    'application/x-jsonlines',
    'application/jsonlines',
    'application/json-lines',
    'text/x-ndjson',
    'application/jsonl; charset=utf-8',
  ])('reads %s as NDJSON', async (contentType) => {
    const res = await post(ctx().app, `${jobEvent('alias')}\n{broken\n${jobEvent('alias')}\n`, ndjson(contentType));
    expect(((await res.json()) as BatchAnswer).summary).toMatchObject({ received: 3, successful: 2 });
  });

  it('reads an RFC 7464 JSON text sequence (application/json-seq) by its records', async () => {
    const pretty = JSON.stringify(JSON.parse(jobEvent('seq')), null, 2);
    const res = await post(ctx().app, `\x1e${pretty}\n\x1e{broken\n\x1e${jobEvent('seq')}\n`, ndjson('application/json-seq'));
    const body = (await res.json()) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 3, successful: 2 });
    expect(body.failed_events.map((f) => f.index)).toEqual([1]);
  });

  it('answers a line over PEDIGREE_MAX_EVENT_BYTES as one 413 item and goes on', async () => {
    const big = jobEvent('big', { padding: 'x'.repeat(300 * 1024) });
    const res = await post(ctx().app, `${big}\n${jobEvent('after-big')}\n`, ndjson());
    const body = (await res.json()) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 2, successful: 1, failed: 1 });
    expect(body.failed_events).toEqual([expect.objectContaining({ index: 0, line: 1, status: 413 })]);
  });

  it('stores \\u0000 in an object key with a warning naming the key, or refuses the item with that pointer in strict mode', async () => {
    const { app } = ctx();
    const nul = jobEvent(`nul-${randomUUID()}`, { 'odd\u0000key': 1 });
    const lenient = (await (await post(app, `${nul}\n`, ndjson())).json()) as BatchAnswer;
    expect(lenient.summary).toMatchObject({ received: 1, successful: 1 });
    expect(lenient.warnings).toContainEqual(expect.objectContaining({ pointer: '/odd\u0000key', count: 1, firstIndex: 0 }));

    const strict = (await (
      await post(app, `${jobEvent('fine')}\n${nul}\n`, { ...ndjson(), path: `${BATCH}?strict=true` })
    ).json()) as BatchAnswer;
    expect(strict.summary).toMatchObject({ received: 2, successful: 1, failed: 1 });
    expect(strict.failed_events[0]!.errors.map((e) => e.pointer)).toContain('/odd\u0000key');
  });

  it('answers in a size that does not grow with the number of accepted items, warnings grouped', async () => {
    const { app } = ctx();
    // The same event again and again (stored once): what grows is the work of reading, not the answer.
    const withoutProducer = jobEvent('bounded', { producer: undefined });
    const answer = async (n: number) => {
      const res = await postStream(
        app,
        streamed(repeat(n, (i) => (i === 7 || i === 5007 ? '{}' : withoutProducer))),
        'application/x-ndjson',
      );
      expect(res.status).toBe(200);
      return res.text();
    };
    const small = await answer(6_001);
    const large = await answer(24_001);
    expect(large.length - small.length).toBeLessThanOrEqual(3); // the counts' digits
    const body = JSON.parse(large) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 24_001, successful: 23_999, failed: 2 });
    expect(body.failed_events.map((f) => f.line)).toEqual([8, 5008]);
    expect(body.warnings).toContainEqual(expect.objectContaining({ count: 23_999, firstIndex: 0 }));
  }, 120_000);

  it('lists the first rejected items only, and counts them all', async () => {
    const res = await postStream(ctx().app, streamed(repeat(200_000, () => '{}')), 'application/x-ndjson');
    const text = await res.text();
    const body = JSON.parse(text) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 200_000, successful: 0, failed: 200_000 });
    expect(body.failed_events).toHaveLength(LISTED_REJECTIONS);
    expect(body.failed_events.at(-1)!.index).toBe(LISTED_REJECTIONS - 1);
    expect(text.length).toBeLessThan(400 * 1024);
  }, 120_000);

  it('lets one event expand as much as it likes, but not a batch past PEDIGREE_MAX_EVENT_BYTES; items read whole are stored', async () => {
    const { app, db } = ctx();
    const gzipped = { path: BATCH, headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } };
    const gzip = (text: string) => gzipSync(text, { level: 9 });
    const one = jobEvent(`expanding-${randomUUID()}`, { padding: 'y'.repeat(200_000) });
    expect(one.length / gzip(one).length).toBeGreaterThan(200);
    expect(((await (await post(app, gzip(one), gzipped)).json()) as BatchAnswer).summary).toMatchObject({ successful: 1 });

    const name = `expanding-${randomUUID()}`;
    const many = Array.from({ length: 300 }, () => jobEvent(name, { padding: 'y'.repeat(2000) })).join('\n');
    expect(many.length / gzip(many).length).toBeGreaterThan(200);
    const res = await post(app, gzip(many), gzipped);
    expect(res.status).toBe(413);
    const problem = (await res.json()) as { detail: string; errors: { pointer: string }[] };
    expect(problem.detail).toContain('PEDIGREE_MAX_INFLATION_RATIO');
    const first = Number(problem.errors.at(-1)!.pointer.slice(1));
    expect(first).toBeGreaterThan(0);
    // Identical events are stored once: the ones read whole were stored, which is what the answer says.
    expect(await count(db, 'lineage_events', `raw like '%${name}%'`)).toBe(1);
    expect(problem.detail).toContain(`${first} stored, 0 rejected`);
  });
});

describe.each(databases)('a value the database refuses, on $name', (database) => {
  const ctx = useDatabase(database);

  it('rejects the one event, and stores the others of its chunk', async () => {
    const { app, db } = ctx();
    // A refusal nothing before the database foresaw (a data exception), raised by a real trigger.
    await db.orm.execute(
      sql.raw(`create function refuse_poison() returns trigger language plpgsql as $$
        begin
          if new.raw like '%poison%' then raise exception 'poisoned' using errcode = '22023'; end if;
          return new;
        end $$`),
    );
    await db.orm.execute(
      sql.raw('create trigger refuse_poison before insert on lineage_events for each row execute function refuse_poison()'),
    );
    const names = [`before-${randomUUID()}`, `poison-${randomUUID()}`, `after-${randomUUID()}`];
    const res = await post(app, `${names.map((n) => jobEvent(n)).join('\n')}\n`, ndjson());
    const body = (await res.json()) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 3, successful: 2, failed: 1 });
    expect(body.failed_events).toEqual([
      expect.objectContaining({ index: 1, status: 400, reason: expect.stringContaining('database refused') }),
    ]);
    expect(await count(db, 'lineage_events', `raw like '%${names[0]}%' or raw like '%${names[2]}%'`)).toBe(2);
  });
});

describe('a database lost in the middle of a batch', () => {
  it('answers 503 naming the first item not stored; the items before it were stored', async () => {
    const db = await openPglite();
    const { migrate } = await import('../src/db/migrate');
    const { readMigrations } = await import('../src/db/migrations-fs');
    await migrate(db, await readMigrations());
    const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
    let source!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        source = controller;
      },
    });
    const lines = (from: number, to: number) =>
      enc.encode(`${Array.from({ length: to - from }, (_, i) => jobEvent(`lost-${from + i}`)).join('\n')}\n`);

    const answer = postStream(app, body, 'application/x-ndjson');
    source.enqueue(lines(0, 600)); // a first chunk of 500 commits; 100 more wait for the next
    let stored = 0;
    for (let tries = 0; stored < 500 && tries < 600; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await count(db, 'lineage_events');
    }
    expect(stored).toBe(500);
    await db.close();
    source.enqueue(lines(600, 700));
    source.close();

    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    const problem = (await res.json()) as { detail: string; errors: { pointer: string; message: string }[] };
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/500' })]);
    expect(problem.detail).toContain('500 stored, 0 rejected');
  }, 120_000);
});

/** Posts `body` over a real socket and reads the answer to its end. */
function send(port: number, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, path: BATCH, method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a gzip bomb over a real port', () => {
  const db = openPglite();
  let server: ReturnType<typeof serve>;
  let port: number;
  let bomb: Buffer;

  beforeAll(async () => {
    // 2 GiB of spaces: 32 gzip members of 64 MiB each (one gzip body, as `cat a.gz b.gz` makes), ~2 MB.
    const member = gzipSync(Buffer.alloc(64 * 1024 ** 2, 0x20), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: 32 }, () => member));
    const config = loadConfig({});
    const app = createApp({ db: await db, ...ingestPipeline(await db), config });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await (await db).close();
  });

  it.each(['application/json', 'application/x-ndjson'])(
    'answers a 2 MB body inflating to 2 GiB with 413 within 10 s (%s)',
    async (contentType) => {
      expect(bomb.length).toBeLessThan(2.5 * 1024 ** 2);
      const started = performance.now();
      const res = await send(port, bomb, { 'content-type': contentType, 'content-encoding': 'gzip' });
      const seconds = (performance.now() - started) / 1000;
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ status: 413, detail: expect.stringContaining('PEDIGREE_MAX_INFLATION_RATIO') });
      expect(seconds).toBeLessThan(10);
      console.log(`gzip bomb (${contentType}) answered in ${seconds.toFixed(2)} s`);
    },
  );
});
