import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/client';
import { ingestPipeline } from '../src/ingest/pipeline';
import { BoundedLabel, Metrics } from '../src/metrics';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';
import { post } from './support/events';
import { runStory } from './support/run-events';

/** One sample of the exposition: its name (with `_bucket`, `_sum`, `_count`), labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Prometheus' text format 0.0.4, strictly enough to catch what a scraper refuses: every sample belongs to
 * a family declared by `# TYPE` (histograms by their `_bucket`, `_sum`, `_count`), names and label names
 * are valid, label values are quoted with only `\\`, `\"` and `\n` escaped, values are numbers.
 */
function parseExposition(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const [i, line] of text.split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`a comment that is neither HELP nor TYPE, ${where}`);
      if (!NAME.test(m[2]!)) throw new Error(`invalid metric name, ${where}`);
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`unknown type, ${where}`);
        if (types.has(m[2]!)) throw new Error(`TYPE given twice, ${where}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample, ${where}`);
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    let rest = rawLabels ?? '';
    while (rest !== '') {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/.exec(rest);
      if (!l) throw new Error(`invalid labels, ${where}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
      if (!l[3] && rest !== '') throw new Error(`labels not separated by commas, ${where}`);
    }
    // As Go's ParseFloat reads it (the format says so): special values in any case (prom-client writes `Nan`).
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(rawValue);
    const value = special
      ? special[2]!.toLowerCase() === 'nan'
        ? Number.NaN
        : special[1] === '-'
          ? -Infinity
          : Infinity
      : Number(rawValue);
    if (!special && (rawValue === '' || Number.isNaN(value))) throw new Error(`not a number, ${where}`);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(family)) throw new Error(`a sample of an undeclared family, ${where}`);
    if (family !== name && types.get(family) !== 'histogram' && types.get(family) !== 'summary')
      throw new Error(`a suffix on a ${types.get(family)}, ${where}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The samples of `name` whose labels include `labels`. */
const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

/** The sum of the samples of `name` whose labels include `labels` (0 when there are none). */
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  find(samples, name, labels).reduce((n, s) => n + s.value, 0);

async function scrape(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, init?: RequestInit) {
  const res = await app.request('/metrics', init);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

const PRODUCER = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark';
const sample = (producer = PRODUCER): Record<string, unknown> => ({ ...runStory().events[2]!, producer });
/** An event that the default mode stores with a warning (a NUL in a string) and strict mode refuses. */
const warned = () => {
  const event = sample() as { run: { facets: Record<string, unknown> } };
  event.run.facets.custom = { _producer: 'p', _schemaURL: 'http://x', blob: 'a\u0000b' };
  return event;
};

describe.each(databases)('GET /metrics on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MAX_EVENT_BYTES: String(64 * 1024), PEDIGREE_METRICS_MAX_PRODUCERS: '3' });

  /** How `post` moves the counter `name` within `labels`. */
  async function moves(
    name: string,
    labels: Record<string, string>,
    act: () => Response | Promise<Response>,
    status: number,
  ): Promise<number> {
    const before = total(await scrape(ctx().app), name, labels);
    expect((await act()).status).toBe(status);
    return total(await scrape(ctx().app), name, labels) - before;
  }

  it('counts an accepted event by producer and kind, its write batch, and its normalization', async () => {
    const { app } = ctx();
    const before = await scrape(app);
    expect((await post(app, sample())).status).toBe(201);
    const after = await scrape(app);
    const delta = (name: string, labels?: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(delta('pedigree_events_accepted_total', { producer: PRODUCER, kind: 'run' })).toBe(1);
    expect(delta('pedigree_ingest_batch_events_count')).toBe(1);
    expect(delta('pedigree_ingest_batch_events_sum')).toBe(1);
    expect(delta('pedigree_ingest_batch_duration_seconds_count')).toBe(1);
    expect(delta('pedigree_events_normalized_total')).toBe(1);
    expect(delta('pedigree_normalization_batch_events_count')).toBe(1);
    expect(delta('pedigree_normalization_batch_events_sum')).toBe(1);
    expect(delta('pedigree_normalization_batch_duration_seconds_count')).toBe(1);
    expect(delta('pedigree_normalization_failures_total')).toBe(0);
    expect(find(after, 'pedigree_normalization_backlog_events')[0]?.value).toBe(0);
    expect(find(after, 'pedigree_normalization_failed_events')[0]?.value).toBe(0);
    expect(find(after, 'pedigree_normalization_lag_seconds')[0]?.value).toBeGreaterThanOrEqual(0);
  });

  it('counts refused requests by reason, with the producer when the event was read', async () => {
    const { app } = ctx();
    const rejected = (reason: string, producer = 'unknown') => ({ reason, producer });
    const count = 'pedigree_events_rejected_total';
    expect(await moves(count, rejected('not_json'), () => post(app, '{"eventTime":'), 400)).toBe(1);
    expect(await moves(count, rejected('not_utf8'), () => post(app, new Uint8Array([0x7b, 0xff, 0x7d])), 400)).toBe(1);
    expect(await moves(count, rejected('invalid'), () => post(app, '{}'), 400)).toBe(1);
    expect(await moves(count, rejected('invalid', PRODUCER), () => post(app, { producer: PRODUCER }), 400)).toBe(1);
    expect(await moves(count, rejected('strict', PRODUCER), () => post(app, warned(), { path: '/api/v1/lineage?strict=true' }), 400)).toBe(
      1,
    );
    const big = { ...sample(), padding: 'x'.repeat(100 * 1024) };
    expect(await moves(count, rejected('too_large'), () => post(app, big), 413)).toBe(1);
    const text = 'a=b';
    const form = { headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect(await moves(count, rejected('unsupported_media'), () => post(app, text, form), 415)).toBe(1);
    const brotli = { headers: { 'content-encoding': 'br' } };
    expect(await moves(count, rejected('unsupported_media'), () => post(app, sample(), brotli), 415)).toBe(1);
    const gzip = { headers: { 'content-encoding': 'gzip' } };
    expect(await moves(count, rejected('decompression'), () => post(app, sample(), gzip), 400)).toBe(1);
    expect(await moves(count, rejected('invalid'), () => post(app, sample(), { path: '/api/v1/lineage?strict=maybe' }), 400)).toBe(1);
    // Accepted events are not refused ones: the default mode stores the same warned event.
    expect(await moves(count, {}, () => post(app, warned()), 201)).toBe(0);
  });

  it('counts the items a batch refuses one by one, and its accepted items', async () => {
    const { app } = ctx();
    const lines = [JSON.stringify(sample()), '{"broken', JSON.stringify(warned()), JSON.stringify({ producer: PRODUCER })];
    const before = await scrape(app);
    const res = await post(app, `${lines.join('\n')}\n`, {
      path: '/api/v1/lineage/batch?strict=true',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: unknown }).summary).toMatchObject({ received: 4, successful: 1, failed: 3 });
    const after = await scrape(app);
    const delta = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(delta('pedigree_events_accepted_total', { producer: PRODUCER })).toBe(1);
    expect(delta('pedigree_events_rejected_total', { reason: 'not_json', producer: 'unknown' })).toBe(1);
    expect(delta('pedigree_events_rejected_total', { reason: 'strict', producer: PRODUCER })).toBe(1);
    expect(delta('pedigree_events_rejected_total', { reason: 'invalid', producer: PRODUCER })).toBe(1);
    expect(delta('pedigree_events_rejected_total', {})).toBe(3);
    // A batch refused whole (its compressed body broken) counts once.
    const gzip = { path: '/api/v1/lineage/batch', headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } };
    expect(await moves('pedigree_events_rejected_total', { reason: 'decompression' }, () => post(app, lines[0]!, gzip), 400)).toBe(1);
    const batch = gzipSync(`${JSON.stringify(sample())}\n`);
    expect(await moves('pedigree_events_accepted_total', {}, () => post(app, batch, { ...gzip }), 200)).toBe(1);
  });

  it('labels request durations with the route template, the method and the status class, never the path', async () => {
    const { app } = ctx();
    expect((await post(app, sample())).status).toBe(201);
    expect((await app.request('/api/v1/namespaces/nowhere/jobs/nothing')).status).toBe(404);
    expect((await app.request('/no/such/path/x1')).status).toBe(404);
    const samples = await scrape(app);
    const requests = 'pedigree_http_request_duration_seconds_count';
    expect(total(samples, requests, { method: 'POST', route: '/api/v1/lineage', status_class: '2xx' })).toBeGreaterThan(0);
    expect(total(samples, requests, { method: 'GET', route: '/api/v1/namespaces/:namespace/jobs/:job', status_class: '4xx' })).toBe(1);
    expect(total(samples, requests, { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBeGreaterThan(0);
    const buckets = find(samples, 'pedigree_http_request_duration_seconds_bucket', { route: '/api/v1/namespaces/:namespace/jobs/:job' });
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 1 });
    const routes = new Set(find(samples, requests).map((s) => s.labels.route));
    expect([...routes].filter((r) => /nowhere|nothing|x1/.test(r ?? ''))).toEqual([]);
  });

  it('gives the first producers a label of their own and counts the others as `other`', async () => {
    const { app } = ctx();
    const producers = ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => `https://example.com/${p}`);
    const before = await scrape(app);
    for (const p of producers) expect((await post(app, sample(p))).status).toBe(201);
    const after = await scrape(app);
    const accepted = find(after, 'pedigree_events_accepted_total');
    const labelled = new Set(accepted.map((s) => s.labels.producer).filter((p) => p !== 'other' && p !== 'unknown'));
    expect(labelled.size).toBeLessThanOrEqual(3);
    expect(labelled.has(PRODUCER)).toBe(true);
    expect(total(after, 'pedigree_events_accepted_total') - total(before, 'pedigree_events_accepted_total')).toBe(5);
    expect(total(after, 'pedigree_events_accepted_total', { producer: 'other' })).toBeGreaterThanOrEqual(3);
  });

  it('answers /healthcheck with the normalization lag and backlog, as declared', async () => {
    const { app } = ctx();
    const declared = await DeclaredAnswers.of(app);
    const res = await declared.request(app, '/healthcheck');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; normalization: { lagSeconds: number; backlog: number } };
    expect(body).toEqual({ status: 'ok', normalization: { lagSeconds: expect.any(Number), backlog: 0, failed: 0 } });
    expect(body.normalization.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(declared.operation('GET', '/metrics')).toBe('get /metrics');
    expect((await declared.request(app, '/metrics')).status).toBe(200);
  });

  it('reports the queue as it is: an event accepted and not normalized is backlog, and its age the lag', async () => {
    const { app, normalizer } = ctx();
    // The test's normalizer is not started: without waiting, the event stays queued.
    expect((await post(app, sample(), { wait: false })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 20));
    const health = (await (await app.request('/healthcheck')).json()) as { normalization: { lagSeconds: number; backlog: number } };
    expect(health.normalization.backlog).toBe(1);
    expect(health.normalization.lagSeconds).toBeGreaterThan(0);
    expect(find(await scrape(app), 'pedigree_normalization_backlog_events')[0]?.value).toBe(1);
    const before = total(await scrape(app), 'pedigree_events_normalized_total');
    await normalizer.drain();
    const after = await scrape(app);
    expect(total(after, 'pedigree_events_normalized_total') - before).toBe(1);
    expect(find(after, 'pedigree_normalization_backlog_events')[0]?.value).toBe(0);
  });
});

describe('GET /metrics access', () => {
  // No database is reached: the refusals read none, and a scrape answers without the backlog it cannot read.
  const db = {} as Db;
  const build = (env: Record<string, string>) => createApp({ db, ...ingestPipeline(db), config: loadConfig(env) });
  const principals = JSON.stringify([
    { name: 'prometheus', key: 'reader-key-1', scopes: ['read'] },
    { name: 'spark', key: 'ingest-key-1', scopes: ['ingest'] },
  ]);

  it('needs a key with the read scope when keys are configured', async () => {
    const app = build({ PEDIGREE_PRINCIPALS: principals });
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer ingest-key-1' } })).status).toBe(403);
    await scrape(app, { headers: { authorization: 'Bearer reader-key-1' } });
  });

  it('is public with PEDIGREE_METRICS_PUBLIC, and without keys', async () => {
    await scrape(build({ PEDIGREE_PRINCIPALS: principals, PEDIGREE_METRICS_PUBLIC: 'true' }));
    await scrape(build({}));
  });

  it('counts refused keys on the ingest endpoints', async () => {
    const app = build({ PEDIGREE_PRINCIPALS: principals });
    const reader = { headers: { authorization: 'Bearer reader-key-1' } };
    expect((await post(app, sample())).status).toBe(401);
    expect((await post(app, sample(), reader)).status).toBe(403);
    const samples = await scrape(app, reader);
    expect(total(samples, 'pedigree_events_rejected_total', { reason: 'unauthorized', producer: 'unknown' })).toBe(1);
    expect(total(samples, 'pedigree_events_rejected_total', { reason: 'forbidden', producer: 'unknown' })).toBe(1);
    // The template of the endpoint refused, though the refusal came from the authentication before it.
    const requests = 'pedigree_http_request_duration_seconds_count';
    expect(total(samples, requests, { method: 'POST', route: '/api/v1/lineage', status_class: '4xx' })).toBe(2);
  });

  it('keeps one registry per app: two apps count apart', async () => {
    const a = build({});
    const b = build({});
    expect((await post(a, 'a=b', { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(total(await scrape(a), 'pedigree_events_rejected_total')).toBe(1);
    expect(total(await scrape(b), 'pedigree_events_rejected_total')).toBe(0);
  });
});

describe('the metrics registry', () => {
  it('bounds a label: the first values kept, later ones `other`, none `unknown`', () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', null, '', 'x'.repeat(300)].map((v) => label.of(v))).toEqual([
      'a',
      'b',
      'other',
      'a',
      'unknown',
      'unknown',
      'other',
    ]);
  });

  it('reports what the normalizer says: a backlog, and a lag that grows while its oldest event waits', async () => {
    const metrics = new Metrics();
    expect(metrics.normalization.current()).toEqual({ lagSeconds: 0, backlog: 0, failed: 0 });
    const now = Date.now();
    metrics.normalization.normalized(100, now - 1500, now);
    metrics.normalization.batched(103, 3, 0.4);
    metrics.normalization.batched(7, 0, 0.02);
    expect(metrics.normalization.current(now)).toEqual({ lagSeconds: 1.5, backlog: 0, failed: 0 });
    metrics.normalization.pending(42, now - 10_000, 3);
    expect(metrics.normalization.current(now)).toEqual({ lagSeconds: 10, backlog: 42, failed: 3 });
    expect(metrics.normalization.current(now + 5000)).toEqual({ lagSeconds: 15, backlog: 42, failed: 3 });
    const samples = parseExposition(await metrics.text());
    expect(find(samples, 'pedigree_normalization_backlog_events')[0]?.value).toBe(42);
    expect(find(samples, 'pedigree_normalization_failed_events')[0]?.value).toBe(3);
    expect(find(samples, 'pedigree_events_normalized_total')[0]?.value).toBe(100);
    expect(find(samples, 'pedigree_normalization_failures_total')[0]?.value).toBe(3);
    expect(find(samples, 'pedigree_normalization_batch_events_count')[0]?.value).toBe(2);
    expect(find(samples, 'pedigree_normalization_batch_events_sum')[0]?.value).toBe(110);
    expect(find(samples, 'pedigree_normalization_batch_events_bucket', { le: '100' })[0]?.value).toBe(1);
    expect(find(samples, 'pedigree_normalization_batch_duration_seconds_sum')[0]?.value).toBeCloseTo(0.42);
    // Read from the database at each scrape: what a retry normalized is no longer set aside.
    metrics.normalization.pending(0, undefined, 0);
    metrics.normalization.normalized(42, now + 5000 - 200, now + 5000);
    expect(metrics.normalization.current(now + 5000)).toEqual({ lagSeconds: 0.2, backlog: 0, failed: 0 });
  });

  it('counts the transactions in flight against the pool size', async () => {
    const metrics = new Metrics();
    let release = () => {};
    const db = { transaction: (fn: () => Promise<unknown>) => fn() } as unknown as Db;
    const watched = metrics.watchPool(db, 10);
    const running = watched.transaction(() => new Promise<void>((r) => (release = r)));
    let samples = parseExposition(await metrics.text());
    expect(find(samples, 'pedigree_db_pool_size')[0]?.value).toBe(10);
    expect(find(samples, 'pedigree_db_transactions_in_flight')[0]?.value).toBe(1);
    release();
    await running;
    samples = parseExposition(await metrics.text());
    expect(find(samples, 'pedigree_db_transactions_in_flight')[0]?.value).toBe(0);
  });

  it('exports the process metrics on Node, in the same exposition', async () => {
    const samples = parseExposition(await new Metrics().withProcessMetrics().text());
    expect(find(samples, 'process_cpu_seconds_total').length).toBe(1);
    expect(find(samples, 'nodejs_heap_size_used_bytes').length).toBe(1);
  });

  it('escapes label values as the text format requires', async () => {
    const metrics = new Metrics();
    metrics.refused('invalid', 'a "quoted"\\producer\nwith a newline');
    const [s] = find(parseExposition(await metrics.text()), 'pedigree_events_rejected_total');
    expect(s?.labels.producer).toBe('a "quoted"\\producer\nwith a newline');
  });
});
