import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { Db } from '../src/db/client';
import { select } from '../src/db/sql';
import { producerRoutes } from '../src/http/routes/producers';
import { MAX_PRODUCER } from '../src/ingest/producer';
import { MAX_REJECTED_BYTES } from '../src/ingest/rejections';
import { createLogger } from '../src/log';
import type { BatchAnswer } from './support/batch';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers, declaredRoutes } from './support/declared';
import { post } from './support/events';
import { count } from './support/snapshot';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely; their shapes are checked against the declarations.
type Json = Record<string, any>;
interface Deviation {
  pointer: string;
  message: string;
}

const RUN_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** A RunEvent of `producer` that the spec has nothing against, unless `changes` say otherwise. */
const event = (producer: string, eventTime: string, changes: Json = {}): Json => ({
  eventType: 'COMPLETE',
  eventTime,
  producer,
  schemaURL: RUN_EVENT,
  run: { runId: randomUUID(), facets: {} },
  job: { namespace: 'conformance', name: 'load', facets: {} },
  inputs: [],
  outputs: [],
  ...changes,
});

/** A producer URI of its own for each test, so that the tests of the file do not see each other's events. */
const producerFor = (what: string) => `https://example.com/producers/${what}/${randomUUID()}`;
const at = (time: string) => `${time.replace('Z', '')}.000000Z`;

describe.each(databases)('the producers’ conformance report on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MAX_EVENT_BYTES: String(256 * 1024) });
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
  });

  /** GETs `path`, whose answer must match its declaration. */
  async function get(path: string, status = 200): Promise<Json> {
    const res = await declared.request(ctx().app, path);
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(status);
    return JSON.parse(text);
  }
  const report = (producer: string, query = '') => get(`/api/v1/producers/report?producer=${encodeURIComponent(producer)}${query}`);
  const listed = async (producer: string) => ((await get('/api/v1/producers')).producers as Json[]).find((p) => p.producer === producer);

  /** POSTs through the declared check; the answer's body. */
  async function ingest(body: unknown, status: number, path = '/api/v1/lineage', headers: Record<string, string> = {}): Promise<Json> {
    const res = await declared.request(ctx().app, path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=normalized', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(status);
    return JSON.parse(text);
  }

  it('groups the warnings of a producer’s events by pointer and message, the most frequent first', async () => {
    const producer = producerFor('warned');
    const events = [
      event(producer, '2024-05-01T10:00:00Z'),
      // Without a time zone, and later an unknown event type: two kinds of warnings.
      event(producer, '2024-05-01T10:00:01'),
      event(producer, '2024-05-01T10:00:03'),
      event(producer, '2024-05-01T10:00:02'),
      event(producer, '2024-05-01T10:00:04Z', { eventType: 'DONE' }),
    ];
    const answers: { id: string; warnings: Deviation[] }[] = [];
    for (const e of events) answers.push((await ingest(e, 201)) as never);

    // What the report must say, from the 201 answers.
    const groups = new Map<string, Json>();
    answers.forEach(({ id, warnings }, i) => {
      const time = at(String(events[i]!.eventTime).replace(/Z?$/, 'Z'));
      for (const w of warnings) {
        const key = `${w.pointer}\u0000${w.message}`;
        const g = groups.get(key) ?? { ...w, count: 0, lastSeen: '' };
        g.count++;
        if (time > g.lastSeen) Object.assign(g, { lastSeen: time, exampleEventId: id });
        groups.set(key, g);
      }
    });
    const expected = [...groups.values()].sort(
      (a, b) =>
        b.count - a.count ||
        b.lastSeen.localeCompare(a.lastSeen) ||
        a.pointer.localeCompare(b.pointer) ||
        a.message.localeCompare(b.message),
    );
    expect(expected.map((g) => [g.pointer, g.count])).toEqual(
      expect.arrayContaining([
        ['/eventTime', 3],
        ['/eventType', 1],
      ]),
    );

    expect(await report(producer)).toEqual({
      producer,
      events: 5,
      eventsWithWarnings: 4,
      rejected: 0,
      warnings: expected,
      rejections: [],
    });
    expect(await listed(producer)).toEqual({
      producer,
      events: 5,
      eventsWithWarnings: 4,
      rejected: 0,
      firstSeen: at('2024-05-01T10:00:00Z'),
      lastSeen: at('2024-05-01T10:00:04Z'),
    });
  });

  it('lists the producers most recently seen first, rejected events counting at their receipt', async () => {
    const older = producerFor('older');
    const newer = producerFor('newer');
    await ingest(event(older, '2020-01-01T00:00:00Z'), 201);
    await ingest(event(newer, '2020-01-01T00:00:01Z'), 201);
    await ingest(event(older, 'yesterday'), 400);
    const { producers } = await get('/api/v1/producers');
    const names = (producers as Json[]).map((p) => p.producer);
    expect(names.indexOf(older)).toBeLessThan(names.indexOf(newer));
    const o = (producers as Json[]).find((p) => p.producer === older)!;
    expect(o).toMatchObject({ events: 1, eventsWithWarnings: 0, rejected: 1, firstSeen: at('2020-01-01T00:00:00Z') });
    expect(o.lastSeen > at('2024-01-01T00:00:00Z')).toBe(true);
  });

  it('keeps an event refused with 400, with what can be read of it and why it was refused', async () => {
    const producer = producerFor('single');
    const e = event(producer, 'yesterday', { eventType: 'START' });
    const text = JSON.stringify(e);
    const problem = await ingest(text, 400);
    const r = await report(producer);
    expect(r).toMatchObject({ producer, events: 0, eventsWithWarnings: 0, rejected: 1, warnings: [] });
    expect(r.rejections).toEqual([
      { id: expect.any(String), receivedAt: expect.any(String), eventType: 'START', runId: e.run.runId, errors: problem.errors, raw: text },
    ]);
    expect(await listed(producer)).toMatchObject({
      events: 0,
      rejected: 1,
      firstSeen: r.rejections[0].receivedAt,
      lastSeen: r.rejections[0].receivedAt,
    });
  });

  it('keeps the failed items of a batch, JSON array or NDJSON, and not those it could not read as events', async () => {
    const { db } = ctx();
    const producer = producerFor('batch');
    const bad = event(producer, 'yesterday');
    const items = [event(producer, '2024-05-01T10:00:00Z'), bad, 'not an event', { ...event(producer, '2024-05-01T10:00:00Z'), job: {} }];
    const array = (await ingest(items, 200, '/api/v1/lineage/batch')) as BatchAnswer;
    expect(array.summary).toMatchObject({ received: 4, successful: 1, failed: 3 });

    const marker = randomUUID();
    const lines = [
      JSON.stringify(event(producer, '2024-05-01T10:00:05Z', { eventType: 'FAIL', run: { runId: 'not-a-uuid' } })),
      `{"broken": "${marker}`,
    ];
    const ndjson = (await ingest(gzipSync(lines.join('\n')), 200, '/api/v1/lineage/batch', {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    })) as BatchAnswer;
    expect(ndjson.summary).toMatchObject({ received: 2, successful: 0, failed: 2 });

    const r = await report(producer);
    expect(r).toMatchObject({ events: 1, rejected: 3 });
    // Newest first: the NDJSON line, then the array's items (recorded together, in any order).
    expect(r.rejections[0]).toMatchObject({ eventType: 'FAIL', runId: null, raw: lines[0], errors: ndjson.failed_events[0]!.errors });
    expect(
      r.rejections
        .slice(1)
        .map((x: Json) => x.raw)
        .sort(),
    ).toEqual([JSON.stringify(items[1]), JSON.stringify(items[3])].sort());
    expect(r.rejections.find((x: Json) => x.raw === JSON.stringify(bad)).errors).toEqual(array.failed_events[0]!.errors);
    // Not an object, or not JSON: kept without a producer.
    expect(await count(db, 'rejected_events', `producer is null and raw = '"not an event"'`)).toBe(1);
    expect(await count(db, 'rejected_events', `producer is null and raw = '${lines[1]}'`)).toBe(1);
    // Paging.
    expect((await report(producer, '&limit=1&offset=1')).rejections).toEqual([r.rejections[1]]);
  });

  it('keeps what strict mode refuses, with the warnings it refused as errors', async () => {
    const producer = producerFor('strict');
    const e = event(producer, '2024-05-01T10:00:00', { eventType: 'DONE' });
    const problem = await ingest(e, 400, '/api/v1/lineage?strict=true');
    const stored = (await ingest(e, 201)) as { warnings: Deviation[] };
    expect(problem.errors).toEqual(stored.warnings);
    const r = await report(producer);
    expect(r).toMatchObject({ events: 1, eventsWithWarnings: 1, rejected: 1 });
    expect(r.rejections[0]).toMatchObject({ eventType: 'DONE', errors: stored.warnings, raw: JSON.stringify(e) });
  });

  it('keeps \\u0000 and lone surrogates of a refused event storable: U+FFFD in what was read, the text as sent', async () => {
    const sent = `${producerFor('nul')}\u0000`;
    const e = event(sent, '2024-05-01T10:00:00Z');
    e.run.facets.custom = { _producer: 'p', _schemaURL: 'http://x', 'a\u0000b': 'half \ud83d' };
    const text = JSON.stringify(e);
    expect(text).toContain('\\u0000');
    expect(text).toContain('\\ud83d');
    const problem = await ingest(text, 400, '/api/v1/lineage?strict=true');
    expect(problem.errors.map((x: Deviation) => x.pointer)).toContain('/run/facets/custom/a\u0000b');

    const producer = sent.replace('\u0000', '\ufffd');
    const r = await report(producer);
    expect(r.rejections[0].raw).toBe(text);
    expect(r.rejections[0].errors).toEqual(
      problem.errors.map((x: Deviation) => ({ pointer: x.pointer.replace('\u0000', '\ufffd'), message: x.message })),
    );
  });

  it('keeps a body that is not JSON or not UTF-8 with U+FFFD for its NUL characters and stray bytes', async () => {
    const { db } = ctx();
    const marker = randomUUID();
    const nul = `{"producer": "${marker}", "x": "a\u0000b"}`;
    await ingest(nul, 400);
    const notUtf8 = new Uint8Array([...Buffer.from(`{"producer": "${marker}", "y": "`), 0xff, 0xfe, ...Buffer.from('"}')]);
    await ingest(notUtf8, 400);
    const kept = await select<{ raw: string; producer: string | null }>(
      ctx().db,
      sql`select raw, producer from rejected_events where raw like ${`%${marker}%`} order by received_at`,
    );
    expect(kept).toEqual([
      { raw: nul.replace('\u0000', '\ufffd'), producer: null },
      { raw: `{"producer": "${marker}", "y": "\ufffd\ufffd"}`, producer: null },
    ]);
    expect(await count(db, 'rejected_events', `raw like '%${marker}%' and strpos(raw, chr(65533)) > 0`)).toBe(2);
  });

  it('keeps the first 64 KiB of a large refused event, cut before a character that would not fit', async () => {
    const producer = producerFor('large');
    const head = `{"producer": "${producer}", "eventTime": "2024-05-01T10:00:00Z", "run": {"runId": "${randomUUID()}"}, "pad": "`;
    // A three-byte character starts two bytes before the limit: it is left out whole.
    const before = 'x'.repeat(MAX_REJECTED_BYTES - 2 - Buffer.byteLength(head));
    const text = `${head}${before}€${'y'.repeat(40_000)}"}`;
    await ingest(text, 400);
    const [rejection] = (await report(producer)).rejections;
    expect(rejection.raw).toBe(`${head}${before}`);
    expect(Buffer.byteLength(rejection.raw)).toBe(MAX_REJECTED_BYTES - 2);
    expect(rejection.errors).toContainEqual({ pointer: '/job', message: 'job is required in a RunEvent' });
  });

  it('keeps nothing of bodies it did not read as events: too large, not JSON, broken gzip, too large in a batch', async () => {
    const { app, db } = ctx();
    const before = await count(db, 'rejected_events');
    const big = event(producerFor('big'), '2024-05-01T10:00:00Z', { padding: 'x'.repeat(300 * 1024) });
    expect((await post(app, big)).status).toBe(413);
    expect((await post(app, 'a=b', { headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await post(app, '{"eventTime": 1}', { headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
    const batch = await post(app, [big], { path: '/api/v1/lineage/batch' });
    expect(((await batch.json()) as BatchAnswer).failed_events.map((f) => f.status)).toEqual([413]);
    expect(await count(db, 'rejected_events')).toBe(before);
  });

  it('answers 400 when the rejection cannot be recorded, and logs why', async () => {
    const { db, writer, normalizer, config } = ctx();
    const broken: Db = { ...db, transaction: () => Promise.reject(new Error('the database refuses')) };
    const lines: { level: string; msg: string; events: number; err: { message: string } }[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
    const app = createApp({ db: broken, writer, normalizer, config, logger });
    const res = await post(app, event(producerFor('unrecorded'), 'yesterday'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).errors).toEqual([
      { pointer: '/eventTime', message: 'eventTime must be an ISO 8601 date-time in the years 0001 to 9999' },
    ]);
    const batch = await post(app, [event(producerFor('unrecorded'), '2024-05-01T10:00:00Z'), { job: {} }], {
      path: '/api/v1/lineage/batch',
    });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as BatchAnswer).summary).toMatchObject({ successful: 1, failed: 1 });
    const failures = lines.filter((l) => l.level === 'error');
    expect(failures).toMatchObject([
      { msg: 'rejected events could not be recorded', events: 1, err: { message: 'the database refuses' } },
      { msg: 'rejected events could not be recorded', events: 1, err: { message: 'the database refuses' } },
    ]);
  });

  it('leaves a producer too long for an index out of the column, with a warning, and stores the event', async () => {
    const { db } = ctx();
    // Random text does not compress: without the cut, its index key would be over the btree limit.
    const long = `https://example.com/${randomBytes(2000).toString('base64')}`;
    expect(long.length).toBeGreaterThan(MAX_PRODUCER);
    const stored = (await ingest(event(long, '2024-05-01T10:00:00Z'), 201)) as { id: string; warnings: Deviation[] };
    expect(stored.warnings).toContainEqual({ pointer: '/producer', message: expect.stringContaining(`longer than ${MAX_PRODUCER}`) });
    expect(await count(db, 'lineage_events', `id = '${stored.id}' and producer is null`)).toBe(1);
    await ingest(event(long, 'yesterday'), 400);
    expect(await count(db, 'rejected_events', `producer is null and raw like '%${long.slice(-40)}%'`)).toBe(1);
  });

  it('answers 404 for a producer never seen, and 400 without one', async () => {
    const missing = await get(`/api/v1/producers/report?producer=${encodeURIComponent(producerFor('unknown'))}`, 404);
    expect(missing.detail).toContain('not found');
    const without = await get('/api/v1/producers/report', 400);
    expect(without.errors).toEqual([{ pointer: '/query/producer', message: 'is required' }]);
  });

  it('has called each producer route successfully, every answer as declared (the last test: it counts the others)', () => {
    expect(declaredRoutes(producerRoutes, '/api/v1').filter((r) => !declared.succeeded.has(r))).toEqual([]);
  });
});
