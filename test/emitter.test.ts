import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, OUTPUT_FILE } from '../scripts/build-emitter-types';
import {
  buildRunEvent,
  createEmitter,
  EmitError,
  type EmitterOptions,
  newRunId,
  parseRetryAfter,
  type RunDraft,
  type RunEvent,
} from '../src/emitter';
import { databases, useDatabase } from './support/databases';

// biome-ignore lint/suspicious/noExplicitAny: response bodies of the read API are walked freely.
type Json = Record<string, any>;

const producer = 'https://github.com/acme/trainers/tree/4f2c9e1/resnet';

/** A training run as a job describes it: facets without `_producer`/`_schemaURL`, which the emitter fills in. */
function trainingRun(runId: string): { start: RunDraft; complete: RunDraft } {
  const job = {
    namespace: 'ml-training',
    name: 'resnet50.train',
    facets: {
      jobType: { processingType: 'BATCH', integration: 'CUSTOM', jobType: 'MODEL' },
      sourceCodeLocation: { type: 'git', url: 'https://github.com/acme/trainers/blob/4f2c9e1/resnet/train.ts', version: '4f2c9e1' },
      documentation: { description: 'Fine-tunes ResNet-50 on the labelled images.' },
      ownership: { owners: [{ name: 'team:vision', type: 'MAINTAINER' }] },
      tags: { tags: [{ key: 'domain', value: 'vision', source: 'USER' }] },
    },
  };
  const run = {
    runId,
    facets: {
      nominalTime: { nominalStartTime: '2024-06-01T00:00:00Z' },
      processing_engine: { name: 'node', version: process.versions.node },
      executionParameters: { parameters: [{ key: 'learning_rate', value: '0.001' }] },
      parent: { run: { runId: newRunId() }, job: { namespace: 'ml-training', name: 'nightly' } },
    },
  };
  const images = {
    namespace: 's3://acme-data',
    name: 'images/labelled',
    facets: {
      dataSource: { name: 's3://acme-data', uri: 's3://acme-data' },
      version: { datasetVersion: '2024-05-31' },
      schema: {
        fields: [
          { name: 'path', type: 'string' },
          { name: 'label', type: 'string' },
        ],
      },
    },
    inputFacets: { inputStatistics: { rowCount: 120_000, size: 9_800_000_000 } },
  };
  const model = {
    namespace: 's3://acme-models',
    name: 'resnet50/v7',
    facets: {
      schema: { fields: [{ name: 'weights', type: 'tensor' }] },
      columnLineage: {
        fields: { weights: { inputFields: [{ namespace: images.namespace, name: images.name, field: 'label' }] } },
      },
      tags: { tags: [{ key: 'stage', value: 'candidate' }] },
    },
    outputFacets: { outputStatistics: { size: 102_400_000, fileCount: 1 } },
  };
  return {
    start: { run, job, inputs: [images] },
    complete: { run: { runId }, job: { namespace: job.namespace, name: job.name }, inputs: [images], outputs: [model] },
  };
}

describe('the emitter into the real Pedigree app, over a real port', () => {
  const ctx = useDatabase(databases[0]!);
  let server: ReturnType<typeof serve>;
  let url = '';
  beforeAll(async () => {
    server = serve({ fetch: ctx().app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A fetch that notes the request headers and otherwise is the global fetch. */
  function watchedFetch(seen: Headers[]): typeof fetch {
    return (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
  }

  it('sends START and COMPLETE of a training run, gzipped; Pedigree stores them without a warning and shows the run COMPLETED', async () => {
    const seen: Headers[] = [];
    const lineage = createEmitter({ url, producer, gzip: true, waitNormalized: true, fetch: watchedFetch(seen) });
    const runId = newRunId();
    const { start, complete } = trainingRun(runId);

    const started = await lineage.start(start);
    const completed = await lineage.complete(complete);
    for (const result of [started, completed]) {
      expect(result).toMatchObject({ status: 201, id: expect.any(String) });
      expect(result.warnings).toEqual([]);
    }
    expect(seen.map((h) => h.get('content-encoding'))).toEqual(['gzip', 'gzip']);
    expect(seen.map((h) => h.get('prefer'))).toEqual(['wait=normalized', 'wait=normalized']);
    expect(completed.body).toMatchObject({ normalization: 'normalized' });

    const res = await fetch(`${url}/api/v1/jobs/runs/${runId}`);
    expect(res.status).toBe(200);
    const stored = (await res.json()) as Json;
    expect(stored).toMatchObject({ id: runId, state: 'COMPLETED', nominalStartTime: '2024-06-01T00:00:00Z' });
    expect(stored.inputDatasetVersions.map((v: Json) => v.datasetVersionId)).toMatchObject([
      { namespace: 's3://acme-data', name: 'images/labelled' },
    ]);
    expect(stored.outputDatasetVersions.map((v: Json) => v.datasetVersionId)).toMatchObject([
      { namespace: 's3://acme-models', name: 'resnet50/v7' },
    ]);
    expect(stored.facets.processing_engine).toMatchObject({
      _producer: producer,
      _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
      name: 'node',
    });
  });

  it('fails a run with its error as the errorMessage facet, accepted by strict mode', async () => {
    // Strict mode refuses any deviation from the spec; no producer given, so the default one must be valid too.
    const lineage = createEmitter({ url, endpoint: '/api/v1/lineage?strict=true', waitNormalized: true });
    const runId = newRunId();
    const { start } = trainingRun(runId);
    await lineage.start(start);
    const failed = await lineage.fail({ run: { runId }, job: start.job }, new Error('CUDA out of memory'));
    expect(failed.status).toBe(201);

    const stored = (await (await fetch(`${url}/api/v1/jobs/runs/${runId}`)).json()) as Json;
    expect(stored.state).toBe('FAILED');
    expect(stored.facets.errorMessage).toMatchObject({ message: 'CUDA out of memory', programmingLanguage: 'JavaScript' });
    expect(stored.facets.errorMessage.stackTrace).toContain('emitter.test.ts');
  });

  it('surfaces Pedigree’s 400 problem without retrying', async () => {
    const seen: Headers[] = [];
    const lineage = createEmitter({ url, producer, fetch: watchedFetch(seen) });
    const event = buildRunEvent('START', { run: { runId: 'not-a-uuid' }, job: { namespace: 'ml', name: 'x' } }, producer);
    const error = await lineage.emit(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmitError);
    expect(error).toMatchObject({ status: 400, attempts: 1, problem: { status: 400, errors: [{ pointer: '/run/runId' }] } });
    expect((error as Error).message).toContain('/run/runId: run.runId must be a UUID');
    expect(seen).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Against a local server whose answers each test decides.
// ---------------------------------------------------------------------------------------------------------

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When it arrived (performance.now()). */
  at: number;
}

/**
 * A local HTTP server: `answer` is called for each request (with its 1-based number) and writes the response,
 * or leaves it hanging. Every request is recorded.
 */
async function localServer(answer: (res: ServerResponse, n: number) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks), at: performance.now() });
      answer(res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return { url, received, close };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers })
    .end(JSON.stringify(body));

/** Fast retries, so that these tests take milliseconds. */
const fast: Partial<EmitterOptions> = { backoffMs: 1, maxDelayMs: 50, timeoutMs: 2_000, producer };
const someEvent = (): RunEvent => buildRunEvent('START', { run: { runId: newRunId() }, job: { namespace: 'ml', name: 'train' } }, producer);
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as EmitError,
  );

describe('the emitter against a local server', () => {
  it('retries 503s with backoff, then resolves with the parsed answer', async () => {
    const server = await localServer((res, n) =>
      n < 3 ? json(res, 503, { title: 'Service Unavailable' }) : json(res, 201, { id: 'abc', warnings: [] }),
    );
    try {
      const result = await createEmitter({ url: server.url, ...fast }).emit(someEvent());
      expect(result).toEqual({ status: 201, id: 'abc', warnings: [], body: { id: 'abc', warnings: [] } });
      expect(server.received).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('gives up after `retries` retries with the last status', async () => {
    const server = await localServer((res) => json(res, 502, { title: 'Bad Gateway' }));
    try {
      const error = await rejection(createEmitter({ url: server.url, ...fast, retries: 2 }).emit(someEvent()));
      expect(error).toMatchObject({ name: 'EmitError', status: 502, attempts: 3, problem: { title: 'Bad Gateway' } });
      expect(server.received).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('waits as long as Retry-After says, capped by maxDelayMs', async () => {
    // Retry-After: 1 (second), capped at 150 ms; the backoff alone would wait about 1 ms.
    const server = await localServer((res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 201, { id: 'x' })));
    try {
      await createEmitter({ url: server.url, ...fast, maxDelayMs: 150 }).emit(someEvent());
      const [first, second] = server.received;
      const waited = second!.at - first!.at;
      expect(waited).toBeGreaterThanOrEqual(140);
      expect(waited).toBeLessThan(900);
    } finally {
      await server.close();
    }
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('does not retry a 400 and surfaces its problem body', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'the event cannot be accepted',
      errors: [{ pointer: '/eventTime', message: 'eventTime is required' }],
    };
    const server = await localServer((res) => json(res, 400, problem));
    try {
      const error = await rejection(createEmitter({ url: server.url, ...fast }).emit(someEvent()));
      expect(error).toBeInstanceOf(EmitError);
      expect(error).toMatchObject({ status: 400, attempts: 1, problem });
      expect(error.message).toContain('Bad Request: the event cannot be accepted (/eventTime: eventTime is required)');
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('times out an attempt that gets no answer and retries it', async () => {
    const server = await localServer((res, n) => (n === 1 ? undefined : json(res, 201, { id: 'late' }))); // the first hangs
    try {
      const started = performance.now();
      const result = await createEmitter({ url: server.url, ...fast, timeoutMs: 100 }).emit(someEvent());
      expect(result.id).toBe('late');
      expect(server.received).toHaveLength(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    } finally {
      await server.close();
    }
  });

  it('reports a server that never answers, and a refused connection, after its retries', async () => {
    const server = await localServer(() => undefined);
    try {
      const error = await rejection(createEmitter({ url: server.url, ...fast, timeoutMs: 50, retries: 1 }).emit(someEvent()));
      expect(error).toMatchObject({ status: undefined, attempts: 2 });
      expect(error.message).toContain('no answer within 50 ms');
    } finally {
      await server.close();
    }
    const error = await rejection(createEmitter({ url: server.url, ...fast, retries: 2 }).emit(someEvent())); // now closed
    expect(error).toMatchObject({ status: undefined, attempts: 3 });
    expect(error.message).toContain('the request failed');
  });

  it('sends the Bearer key and a gzipped JSON body that decompresses to the event', async () => {
    const server = await localServer((res) => json(res, 201, { id: 'ok', warnings: [] }));
    try {
      const event = someEvent();
      await createEmitter({ url: `${server.url}/`, endpoint: 'api/v1/lineage', apiKey: 'k', ...fast }).emit(event);
      const [request] = server.received;
      expect(request!.headers).toMatchObject({
        authorization: 'Bearer k',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
      expect(JSON.parse(gunzipSync(request!.body).toString('utf8'))).toEqual(event);
    } finally {
      await server.close();
    }
  });

  it('sends plain JSON when gzip is off or the body is under the threshold', async () => {
    const server = await localServer((res) => json(res, 201, {}));
    try {
      const event = someEvent();
      await createEmitter({ url: server.url, ...fast, gzip: false }).emit(event);
      await createEmitter({ url: server.url, ...fast, gzip: 1_000_000 }).emit(event);
      for (const request of server.received) {
        expect(request.headers['content-encoding']).toBeUndefined();
        expect(request.headers.authorization).toBeUndefined();
        expect(JSON.parse(request.body.toString('utf8'))).toEqual(event);
      }
    } finally {
      await server.close();
    }
  });
});

describe('building events', () => {
  it('fills in eventTime, producer, schemaURL and each facet’s _producer and _schemaURL', () => {
    const runId = newRunId();
    const event = buildRunEvent(
      'START',
      {
        run: { runId, facets: { custom_metrics: { _schemaURL: 'https://acme.dev/schemas/Metrics.json', loss: 0.12 } } },
        job: { namespace: 'ml', name: 'train', facets: { documentation: { description: 'trains' } } },
      },
      producer,
    );
    expect(event).toMatchObject({
      producer,
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      eventType: 'START',
      run: { runId, facets: { custom_metrics: { _producer: producer, _schemaURL: 'https://acme.dev/schemas/Metrics.json', loss: 0.12 } } },
      job: {
        facets: {
          documentation: {
            _producer: producer,
            _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet',
          },
        },
      },
    });
    expect(event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() =>
      buildRunEvent('START', { run: { runId, facets: { mine: { a: 1 } } }, job: { namespace: 'ml', name: 'x' } }, producer),
    ).toThrow(/run\.facets\.mine is not a standard facet/);
    // The facet types come from the spec: a nominalTime facet without its required nominalStartTime does not compile.
    // @ts-expect-error nominalStartTime is required
    buildRunEvent('START', { run: { runId, facets: { nominalTime: {} } }, job: { namespace: 'ml', name: 'x' } }, producer);
  });
});

describe('scripts/build-emitter-types.ts', () => {
  it('is deterministic, and the committed src/emitter/openlineage-types.ts is what it generates', () => {
    const once = generate();
    expect(generate()).toBe(once);
    const committed = readFileSync(new URL(`../${OUTPUT_FILE}`, import.meta.url), 'utf8');
    expect(committed === once, `${OUTPUT_FILE} is out of date: run npx tsx scripts/build-emitter-types.ts`).toBe(true);
  });
});
