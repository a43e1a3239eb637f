import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import type { BatchAnswer } from './support/batch';
import { databases, useDatabase } from './support/databases';
import { corpusText, post } from './support/events';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';

const sample = () => runStory().events[2]!;

describe.each(databases)('POST /api/v1/lineage on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MAX_EVENT_BYTES: String(256 * 1024) });
  const keyed = useDatabase(database, { PEDIGREE_API_KEYS: 'k1, k2' });

  it("accepts a gzip body (the clients' compression: gzip)", async () => {
    const res = await post(ctx().app, gzipSync(JSON.stringify(sample())), { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(201);
  });

  it('refuses a body that is not gzip although it says so', async () => {
    const res = await post(ctx().app, JSON.stringify(sample()), { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(400);
  });

  it('refuses a gzip bomb past the limit with 413', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.byteLength).toBeLessThan(256 * 1024);
    const res = await post(ctx().app, bomb, { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
  });

  it('refuses a body over PEDIGREE_MAX_EVENT_BYTES with 413 problem+json', async () => {
    const big = { ...sample(), padding: 'x'.repeat(300 * 1024) };
    const res = await post(ctx().app, JSON.stringify(big));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await post(ctx().app, 'a=b', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it('refuses invalid JSON and non-objects with 400 and a pointer', async () => {
    for (const body of ['{"eventTime":', '[]', '42', '{}']) {
      const res = await post(ctx().app, body);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: { pointer: string; message: string }[] };
      expect(problem.errors[0]).toHaveProperty('pointer');
    }
  });

  it('refuses JSON nested beyond the limit with 400, not a crash', async () => {
    const deep = `{"eventTime":"2024-01-01T00:00:00Z","run":{"runId":"${crypto.randomUUID()}"},"job":{"namespace":"n","name":"j"},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const res = await post(ctx().app, deep);
    expect(res.status).toBe(400);
  });

  it('stores the same event posted twice once, answering 201 both times', async () => {
    const { app, db } = ctx();
    const body = JSON.stringify(sample());
    const first = (await (await post(app, body)).json()) as { id: string };
    const second = await post(app, body);
    expect(second.status).toBe(201);
    expect(((await second.json()) as { id: string }).id).toBe(first.id);
    expect(await count(db, 'lineage_events', `id = '${first.id}'`)).toBe(1);
  });

  it('keeps \\u0000 and lone surrogates verbatim in the raw event and stores a safe copy', async () => {
    const { app, db } = ctx();
    const event = sample() as { run: { facets: Record<string, unknown> } };
    event.run.facets.custom = { _producer: 'p', _schemaURL: 'http://x', blob: 'a\u0000b', half: '\ud83d' };
    const text = JSON.stringify(event);
    const res = await post(app, text);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; warnings: { pointer: string }[] };
    expect(body.warnings.map((w) => w.pointer)).toEqual(expect.arrayContaining(['/run/facets/custom/blob', '/run/facets/custom/half']));
    const [stored] = await rows<{ raw: string }>(db.orm, sql`select raw from lineage_events where id = ${body.id}`);
    expect(stored!.raw).toBe(text);
  });

  it('stores \\u0000 and lone surrogates in object keys with a warning naming the key as sent; strict mode refuses with it', async () => {
    const { app, db } = ctx();
    const event = sample() as { run: { facets: Record<string, unknown> } };
    event.run.facets.custom = { _producer: 'p', _schemaURL: 'http://x', 'a\u0000b': 1, 'half\ud83d': { 'c\u0000': 'd\u0000' } };
    event.run.facets['nul\u0000facet'] = { _producer: 'p', _schemaURL: 'http://x' };
    const text = JSON.stringify(event);
    const keys = [
      '/run/facets/custom/a\u0000b',
      '/run/facets/custom/half\ud83d',
      '/run/facets/custom/half\ud83d/c\u0000',
      '/run/facets/nul\u0000facet',
    ];

    const strict = await post(app, text, { path: '/api/v1/lineage?strict=true' });
    expect(strict.status).toBe(400);
    const problem = (await strict.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(keys));

    const res = await post(app, text);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; warnings: { pointer: string; message: string }[] };
    const keyWarnings = body.warnings.filter((w) => w.message.startsWith('key holds'));
    expect(keyWarnings.map((w) => w.pointer).sort()).toEqual([...keys].sort());
    // The value under a repaired key is found at the key as sent too.
    expect(body.warnings).toContainEqual({ pointer: keys[2], message: expect.stringMatching(/^string holds/) });
    const [stored] = await rows<{ raw: string; warnings: { pointer: string }[] }>(
      db.orm,
      sql`select raw, warnings from lineage_events where id = ${body.id}`,
    );
    expect(stored!.raw).toBe(text);
    expect(stored!.warnings.map((w) => w.pointer)).toContain('/run/facets/custom/a\ufffdb');
    const [facet] = await rows<{ name: string }>(db.orm, sql`select name from facets where name = ${'nul\ufffdfacet'}`);
    expect(facet).toBeDefined();
  });

  it('does not mistake an escaped surrogate pair (an emoji, as Python writes it) for a lone surrogate', async () => {
    const event = sample() as { job: { name: string } };
    event.job.name = 'party \ud83c\udf89';
    const text = JSON.stringify(event).replace('\ud83c\udf89', '\\ud83c\\udf89');
    expect(text).toContain('\\ud83c\\udf89');
    const res = await post(ctx().app, text, { path: '/api/v1/lineage?strict=true' });
    expect(res.status).toBe(201);
  });

  it('accepts a dataset name far longer than a btree key', async () => {
    const event = sample() as { outputs: { name: string }[] };
    event.outputs[0]!.name = `/very/long/${'segment/'.repeat(2000)}`;
    expect((await post(ctx().app, event)).status).toBe(201);
  });

  it('strict mode (?strict=true) rejects what the default mode stores with warnings', async () => {
    const text = corpusText('python-client/serde_example_run_event.json');
    const lenient = await post(ctx().app, text);
    expect(lenient.status).toBe(201);
    expect(((await lenient.json()) as { warnings: unknown[] }).warnings.length).toBeGreaterThan(0);
    const strict = await post(ctx().app, text, { path: '/api/v1/lineage?strict=true' });
    expect(strict.status).toBe(400);
  });

  it('asks for a Bearer key when keys are configured', async () => {
    const { app } = keyed();
    expect((await post(app, sample())).status).toBe(401);
    expect((await post(app, sample(), { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await post(app, sample(), { headers: { authorization: 'Bearer k2' } })).status).toBe(201);
    expect((await app.request('/healthcheck')).status).toBe(200);
  });
});

describe.each(databases)('POST /api/v1/lineage/batch on $name', (database) => {
  const ctx = useDatabase(database);

  it('takes a JSON array with good and bad items, each on its own, answering the failed ones', async () => {
    const { app, db } = ctx();
    const good = runStory().events;
    const items = [good[0], { eventTime: 'yesterday', run: { runId: 'x' }, job: {} }, good[2], 'not an event'];
    const res = await post(app, items, { path: '/api/v1/lineage/batch' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchAnswer;
    expect(body.status).toBe('partial_success');
    expect(body.summary).toEqual({ received: 4, successful: 2, failed: 2, retriable: 0, non_retriable: 2 });
    expect(body.failed_events.map((r) => [r.index, r.status, r.retriable])).toEqual([
      [1, 400, false],
      [3, 400, false],
    ]);
    expect(body.failed_events[0]!.errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/eventTime', '/run/runId']));
    expect(body.failed_events[0]!.reason).toContain('/eventTime');
    expect(await count(db, 'lineage_events')).toBeGreaterThanOrEqual(2);
  });

  it('takes NDJSON, gzip-compressed', async () => {
    const events = [...runStory().events, ...runStory().events];
    const ndjson = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const res = await post(ctx().app, gzipSync(ndjson), {
      path: '/api/v1/lineage/batch',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    });
    const body = (await res.json()) as BatchAnswer;
    expect(body).toMatchObject({ status: 'success', summary: { received: 8, successful: 8, failed: 0 }, failed_events: [] });
  });

  it('reports a truncated last item', async () => {
    const res = await post(ctx().app, `${JSON.stringify(runStory().events[0])}\n{"eventTime": "2024`, {
      path: '/api/v1/lineage/batch',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    const body = (await res.json()) as BatchAnswer;
    expect(body.summary).toMatchObject({ received: 2, successful: 1 });
    expect(body.failed_events.map((r) => [r.index, r.line, r.status])).toEqual([[1, 2, 400]]);
  });
});

describe('when the database is down', () => {
  it('answers 503 with Retry-After, for ingest and for the healthcheck', async () => {
    const { openPglite } = await import('../src/db/pglite');
    const { openPostgres } = await import('../src/db/postgres');
    const { createApp } = await import('../src/app');
    const { ingestPipeline } = await import('../src/ingest/pipeline');
    const { loadConfig } = await import('../src/config');
    const closed = await openPglite();
    await closed.close();
    const unreachable = openPostgres('postgres://postgres@127.0.0.1:9/none', { connectTimeoutSeconds: 2 });
    for (const db of [closed, unreachable]) {
      const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
      const res = await post(app, sample());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect((await app.request('/healthcheck')).status).toBe(503);
      // Concurrent requests share a transaction: they fail together, each with 503.
      const together = await Promise.all([sample(), sample(), sample()].map((e) => post(app, e)));
      expect(together.map((r) => r.status)).toEqual([503, 503, 503]);
    }
    await unreachable.close();
  });
});
