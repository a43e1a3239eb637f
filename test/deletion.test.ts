import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { deletionRoutes } from '../src/http/routes/deletion';
import { replayEvents } from '../src/ingest/replay';
import { databases, truncateAll, useDatabase } from './support/databases';
import { DeclaredAnswers, declaredRoutes } from './support/declared';
import { post } from './support/events';
import { marquezErrors } from './support/marquez-openapi';
import { runStory } from './support/run-events';
import { count, snapshot, staleDocuments } from './support/snapshot';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

const SPARK = 'spark://cluster';
const PG = 'postgres://db:5432';
const S3 = 's3://warehouse';
const GS = 'gs://bucket';
const enc = encodeURIComponent;
const datasetPath = (ns: string, name: string) => `/api/v1/namespaces/${enc(ns)}/datasets/${enc(name)}`;
const jobPath = (ns: string, name: string) => `/api/v1/namespaces/${enc(ns)}/jobs/${enc(name)}`;

/**
 * The lineage of the tests: etl.orders_daily reads public.orders and writes /marts/orders_daily, which
 * etl.reader reads to write /marts/report. Each event is shifted by `hours`, so a later story is newer.
 */
function stories(hours = 0) {
  const shift = (e: Record<string, unknown>) => ({
    ...e,
    eventTime: new Date(Date.parse(e.eventTime as string) + hours * 3_600_000).toISOString(),
  });
  const writer = runStory();
  const reader = runStory({ job: 'etl.reader', output: '/marts/report' });
  for (const e of reader.events as Json[]) {
    e.eventTime = new Date(Date.parse(e.eventTime) + 3_600_000).toISOString();
    if (e.inputs.length) e.inputs = [{ namespace: S3, name: '/marts/orders_daily' }];
  }
  return { writer: { ...writer, events: writer.events.map(shift) }, reader: { ...reader, events: reader.events.map(shift) } };
}

describe.each(databases)('deletion on $name', (database) => {
  const ctx = useDatabase(database);
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
  });
  beforeEach(async () => {
    await truncateAll(ctx().db);
  });

  /** A request whose answer must match its declaration; its status and JSON. */
  async function call(method: string, path: string, body?: unknown, actor = 'alice'): Promise<{ status: number; json: Json }> {
    const res = await declared.request(ctx().app, path, {
      method,
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  }
  const get = async (path: string) => (await call('GET', path)).json;

  async function load(hours = 0) {
    const s = stories(hours);
    for (const e of [...s.writer.events, ...s.reader.events]) expect((await post(ctx().app, e)).status).toBe(201);
    return s;
  }

  /** What every read shows of a dataset: its GET, the listing, search, a graph around its writer, stats. */
  async function datasetSeen(ns: string, name: string) {
    const listing = await get(`/api/v1/namespaces/${enc(ns)}/datasets`);
    const search = await get(`/api/v1/search?q=${enc(name)}`);
    const graph = await get(`/api/v1/lineage?nodeId=${enc(`job:${SPARK}:etl.orders_daily`)}&depth=5`);
    return {
      get: (await call('GET', datasetPath(ns, name))).status,
      versions: (await call('GET', `${datasetPath(ns, name)}/versions`)).status,
      nodeId: (await call('GET', `/api/v1/lineage?nodeId=${enc(`dataset:${ns}:${name}`)}`)).status,
      columnNodeId: (await call('GET', `/api/v1/column-lineage?nodeId=${enc(`dataset:${ns}:${name}`)}`)).status,
      listed: listing.datasets.some((d: Json) => d.name === name),
      totalCount: listing.totalCount,
      searched: search.results.some((r: Json) => r.name === name && r.type === 'DATASET'),
      inGraph: graph.graph.some((n: Json) => n.id === `dataset:${ns}:${name}`),
    };
  }

  describe('hiding (Marquez soft deletion)', () => {
    it('DELETE of a dataset answers it in Marquez shape and hides it from every read', async () => {
      await load();
      const before = await get(datasetPath(S3, '/marts/orders_daily'));
      expect(await datasetSeen(S3, '/marts/orders_daily')).toEqual({
        get: 200,
        versions: 200,
        nodeId: 200,
        columnNodeId: 200,
        listed: true,
        totalCount: 2,
        searched: true,
        inGraph: true,
      });
      const deleted = await call('DELETE', datasetPath(S3, '/marts/orders_daily'));
      expect(deleted.status).toBe(200);
      expect(marquezErrors('Dataset', deleted.json)).toEqual([]);
      expect(deleted.json).toEqual(before);
      expect(await datasetSeen(S3, '/marts/orders_daily')).toEqual({
        get: 404,
        versions: 404,
        nodeId: 404,
        columnNodeId: 404,
        listed: false,
        totalCount: 1,
        searched: false,
        inGraph: false,
      });
      // The walk does not go through it: etl.reader, reached only through it, is out of the writer's graph.
      const graph = await get(`/api/v1/lineage?nodeId=${enc(`job:${SPARK}:etl.orders_daily`)}&depth=5`);
      expect(graph.graph.map((n: Json) => n.id).sort()).toEqual([`dataset:${PG}:public.orders`, `job:${SPARK}:etl.orders_daily`]);
      expect((await call('POST', `${datasetPath(S3, '/marts/orders_daily')}/tags/PII`)).status).toBe(404);
      // Stats count what is shown.
      const stats = await get('/api/v1/stats/datasets?period=DAY');
      expect(stats.at(-1).count).toBe(2);
      // Deleting it again: 404, as Marquez; an unknown namespace names the namespace.
      const again = await call('DELETE', datasetPath(S3, '/marts/orders_daily'));
      expect(again.status).toBe(404);
      expect(again.json.detail).toBe("Dataset '/marts/orders_daily' not found.");
      expect((await call('DELETE', datasetPath('nowhere', 'x'))).json.detail).toBe("Namespace 'nowhere' not found.");
      // The rows are kept, and the read models stay right.
      expect(await count(ctx().db, 'datasets')).toBe(3);
      expect(await staleDocuments(ctx().db)).toEqual([]);
    });

    it('DELETE of a job answers it in Marquez shape and hides it from listings, search and the graph', async () => {
      await load();
      const before = await get(jobPath(SPARK, 'etl.reader'));
      const deleted = await call('DELETE', jobPath(SPARK, 'etl.reader'));
      expect(deleted.status).toBe(200);
      expect(marquezErrors('Job', deleted.json)).toEqual([]);
      expect(deleted.json).toEqual(before);
      expect((await call('GET', jobPath(SPARK, 'etl.reader'))).status).toBe(404);
      expect((await call('GET', `${jobPath(SPARK, 'etl.reader')}/runs`)).status).toBe(404);
      expect((await call('GET', `${jobPath(SPARK, 'etl.reader')}/versions`)).status).toBe(404);
      for (const path of ['/api/v1/jobs', `/api/v1/namespaces/${enc(SPARK)}/jobs`, '/api/v1/jobs?lastRunStates=COMPLETED']) {
        const listing = await get(path);
        expect(listing.jobs.map((j: Json) => j.name)).toEqual(['etl.orders_daily']);
        expect(listing.totalCount).toBe(1);
      }
      expect((await get('/api/v1/search?q=etl')).results.map((r: Json) => r.name)).toEqual(['etl.orders_daily']);
      const graph = await get(`/api/v1/lineage?nodeId=${enc(`dataset:${S3}:/marts/orders_daily`)}&depth=5`);
      expect(graph.graph.map((n: Json) => n.id).sort()).toEqual([
        `dataset:${PG}:public.orders`,
        `dataset:${S3}:/marts/orders_daily`,
        `job:${SPARK}:etl.orders_daily`,
      ]);
      expect((await call('DELETE', jobPath(SPARK, 'etl.reader'))).status).toBe(404);
      expect(await staleDocuments(ctx().db)).toEqual([]);
    });

    it('DELETE of a namespace hides it (listed with isHidden, as Marquez) and every dataset and job in it', async () => {
      await load();
      const deleted = await call('DELETE', `/api/v1/namespaces/${enc(S3)}`);
      expect(deleted.status).toBe(200);
      expect(marquezErrors('Namespace', deleted.json)).toEqual([]);
      expect(deleted.json).toMatchObject({ name: S3, isHidden: false });
      expect((await get(`/api/v1/namespaces/${enc(S3)}`)).isHidden).toBe(true);
      expect((await get('/api/v1/namespaces')).namespaces.map((n: Json) => [n.name, n.isHidden])).toEqual([
        [PG, false],
        [S3, true],
        [SPARK, false],
      ]);
      expect(await get(`/api/v1/namespaces/${enc(S3)}/datasets`)).toEqual({ totalCount: 0, datasets: [], nextCursor: null });
      expect((await call('GET', datasetPath(S3, '/marts/report'))).status).toBe(404);
      // The jobs of other namespaces stay; the datasets hidden leave their graph.
      expect((await get('/api/v1/jobs')).totalCount).toBe(2);
      // As in Marquez, a hidden namespace is still found: deleting it again answers 200.
      const again = await call('DELETE', `/api/v1/namespaces/${enc(S3)}`);
      expect(again.status).toBe(200);
      expect(again.json.isHidden).toBe(true);
      expect((await call('DELETE', '/api/v1/namespaces/nowhere')).status).toBe(404);
      const audit = await get(`/api/v1/audit?action=namespace.hidden&limit=2`);
      expect(audit.entries.map((e: Json) => e.detail)).toEqual([
        { namespace: S3, hidden: { datasets: 0, jobs: 0 } },
        { namespace: S3, hidden: { datasets: 2, jobs: 0 } },
      ]);
    });

    it('every deletion is in the audit log with its actor', async () => {
      await load();
      // The audit log is append-only (truncating it is refused): this test reads what it adds.
      const before = (await get('/api/v1/audit')).totalCount;
      await call('DELETE', datasetPath(S3, '/marts/report'), undefined, 'bob');
      await call('DELETE', jobPath(SPARK, 'etl.reader'), undefined, 'carol');
      const audit = await call('GET', '/api/v1/audit?limit=2');
      expect(audit.status).toBe(200);
      expect(audit.json.totalCount).toBe(before + 2);
      expect(audit.json.entries.map((e: Json) => [e.actor, e.action, e.modelName, e.detail])).toEqual([
        ['carol', 'job.hidden', null, { namespace: SPARK, name: 'etl.reader' }],
        ['bob', 'dataset.hidden', null, { namespace: S3, name: '/marts/report' }],
      ]);
      const ours = (await get(`/api/v1/audit?namespace=${enc(S3)}&limit=1`)).entries;
      expect(ours.map((e: Json) => [e.actor, e.action])).toEqual([['bob', 'dataset.hidden']]);
    });
  });

  describe('shown again by new events', () => {
    it('an event received after the deletion shows the dataset again; one accepted before it does not', async () => {
      const first = await load();
      // Accepted (stored, queued) before the deletion, normalized after it.
      const late = structuredClone(first.writer.events[2]!) as Json;
      late.run.runId = '0190e7a4-6f0a-7a11-8000-000000000001';
      expect((await post(ctx().app, late, { wait: false })).status).toBe(201);
      expect((await call('DELETE', datasetPath(S3, '/marts/orders_daily'))).status).toBe(200);
      await ctx().normalizer.drain();
      expect((await call('GET', datasetPath(S3, '/marts/orders_daily'))).status).toBe(404);
      // The same rule on replay: the events, all received before the deletion, keep it hidden.
      await replayEvents(ctx().db, { rebuild: true });
      expect((await call('GET', datasetPath(S3, '/marts/orders_daily'))).status).toBe(404);
      expect(await staleDocuments(ctx().db)).toEqual([]);
      // An event received after it names it: shown again, whatever its event time (here the oldest).
      const next = stories(-48);
      expect((await post(ctx().app, next.writer.events[2]!)).status).toBe(201);
      expect((await call('GET', datasetPath(S3, '/marts/orders_daily'))).status).toBe(200);
      expect((await datasetSeen(S3, '/marts/orders_daily')).listed).toBe(true);
      expect(await staleDocuments(ctx().db)).toEqual([]);
    });

    it('a new event in a hidden namespace shows the namespace and what it names, not the rest', async () => {
      const s = await load();
      await call('DELETE', `/api/v1/namespaces/${enc(S3)}`);
      // The reader's START names only its input, /marts/orders_daily.
      const again = structuredClone(s.reader.events[0]!) as Json;
      again.run.runId = '0190e7a4-6f0a-7a11-8000-000000000002';
      expect((await post(ctx().app, again)).status).toBe(201);
      expect((await get(`/api/v1/namespaces/${enc(S3)}`)).isHidden).toBe(false);
      const listing = await get(`/api/v1/namespaces/${enc(S3)}/datasets`);
      expect([listing.totalCount, listing.datasets.map((d: Json) => d.name)]).toEqual([1, ['/marts/orders_daily']]);
    });

    it('a hidden job comes back with its next run', async () => {
      const s = await load();
      await call('DELETE', jobPath(SPARK, 'etl.reader'));
      const again = structuredClone(s.reader.events[0]!) as Json;
      again.run.runId = '0190e7a4-6f0a-7a11-8000-000000000003';
      expect((await post(ctx().app, again)).status).toBe(201);
      expect((await call('GET', jobPath(SPARK, 'etl.reader'))).status).toBe(200);
      expect((await get('/api/v1/jobs')).totalCount).toBe(2);
    });
  });

  describe('purge', () => {
    it('removes the dataset, its events and the runs that named it; a rebuild from what is left is the same state', async () => {
      const s = await load();
      await call('DELETE', datasetPath(S3, '/marts/orders_daily'));
      const purged = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: S3, name: '/marts/orders_daily' }, 'root');
      expect(purged.status).toBe(200);
      // The writer's run wrote it and the reader's read it: both runs go, whole (4 events each), with the
      // versions they wrote (of it and of /marts/report). Nothing else names the others: every namespace goes.
      expect(purged.json.removed).toEqual({ events: 8, runs: 2, datasets: 1, jobs: 0, namespaces: 3, datasetVersions: 2 });
      // What those events named besides: public.orders, /marts/report, both jobs. None has another event.
      expect(purged.json.rederived).toEqual({
        events: 0,
        datasets: 2,
        jobs: 2,
        vanished: [
          { kind: 'dataset', namespace: PG, name: 'public.orders' },
          { kind: 'dataset', namespace: S3, name: '/marts/report' },
          { kind: 'job', namespace: SPARK, name: 'etl.orders_daily' },
          { kind: 'job', namespace: SPARK, name: 'etl.reader' },
        ],
      });
      expect(await count(ctx().db, 'lineage_events')).toBe(0);
      expect(await count(ctx().db, 'namespaces')).toBe(0);
      expect(await count(ctx().db, 'hidden_entities')).toBe(0);
      expect(await count(ctx().db, 'facet_values')).toBe(0);
      expect(s.writer.events.length).toBe(4);
    });

    it('keeps what the remaining events say of the neighbours, exactly as replay --rebuild derives it', async () => {
      await load();
      // A second writer run, a day later, reads public.orders and writes /marts/orders_daily too; a third job
      // reads public.orders only.
      const later = stories(24);
      for (const e of later.writer.events) expect((await post(ctx().app, e)).status).toBe(201);
      const other = runStory({ job: 'etl.audit', output: '/marts/audit' });
      for (const e of other.events) expect((await post(ctx().app, e)).status).toBe(201);
      await call('POST', `${datasetPath(S3, '/marts/report')}/tags/PII`);

      const purged = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: S3, name: '/marts/report' });
      expect(purged.status).toBe(200);
      expect(purged.json.removed).toMatchObject({ events: 4, runs: 1, datasets: 1, datasetVersions: 1 });
      expect(purged.json.rederived.vanished).toEqual([{ kind: 'job', namespace: SPARK, name: 'etl.reader' }]);
      expect((await call('GET', datasetPath(S3, '/marts/report'))).status).toBe(404);
      expect((await call('GET', jobPath(SPARK, 'etl.orders_daily'))).status).toBe(200);
      expect(await count(ctx().db, 'dataset_tags')).toBe(0);
      expect(await staleDocuments(ctx().db)).toEqual([]);

      const after = await snapshot(ctx().db);
      await replayEvents(ctx().db, { rebuild: true });
      expect(await snapshot(ctx().db)).toEqual(after);
      expect((await call('GET', datasetPath(S3, '/marts/report'))).status).toBe(404);

      const audit = await get('/api/v1/audit?action=dataset.purged');
      expect(audit.entries[0]).toMatchObject({
        actor: 'alice',
        detail: { kind: 'dataset', namespace: S3, name: '/marts/report', removed: purged.json.removed, force: false },
      });
    });

    it('purges a job with its runs, and a namespace with all it holds; replay brings neither back', async () => {
      await load();
      // A job of its own, writing outside s3://warehouse: it stays.
      const other = runStory({ job: 'etl.audit', input: 'public.audit', output: '/marts/audit' });
      for (const e of other.events as Json[]) {
        for (const o of e.outputs) o.namespace = GS;
        expect((await post(ctx().app, e)).status).toBe(201);
      }
      const job = await call('POST', '/api/v1/admin/purge', { kind: 'job', namespace: SPARK, name: 'etl.reader' });
      expect(job.json.removed).toMatchObject({ events: 4, runs: 1, jobs: 1, datasets: 0 });
      expect(job.json.rederived.vanished).toEqual([{ kind: 'dataset', namespace: S3, name: '/marts/report' }]);
      const ns = await call('POST', '/api/v1/admin/purge', { kind: 'namespace', namespace: S3 });
      expect(ns.status).toBe(200);
      // What is left in it after the job's purge: /marts/orders_daily and the writer's run.
      expect(ns.json.removed).toMatchObject({ namespaces: 1, datasets: 1, runs: 1 });
      expect(await staleDocuments(ctx().db)).toEqual([]);
      const after = await snapshot(ctx().db);
      await replayEvents(ctx().db, { rebuild: true });
      expect(await snapshot(ctx().db)).toEqual(after);
      expect((await call('GET', `/api/v1/namespaces/${enc(S3)}`)).status).toBe(404);
      expect((await call('GET', jobPath(SPARK, 'etl.reader'))).status).toBe(404);
      expect((await get('/api/v1/namespaces')).namespaces.map((n: Json) => n.name)).toEqual([GS, PG, SPARK]);
      expect((await get(`/api/v1/namespaces/${enc(SPARK)}/jobs`)).jobs.map((j: Json) => j.name)).toEqual(['etl.audit']);
    });

    it("follows symlinks and column lineage: a table named only in another dataset's facets goes with its events", async () => {
      await load();
      // A DatasetEvent of /marts/report whose symlinks facet names a Hive table over it.
      const hive = { namespace: 'hive://metastore', name: 'marts.report', type: 'TABLE' };
      const datasetEvent = {
        eventTime: '2024-05-02T00:00:00.000Z',
        producer: 'https://example.com/catalog',
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
        dataset: {
          namespace: S3,
          name: '/marts/report',
          facets: {
            symlinks: {
              _producer: 'https://example.com/catalog',
              _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet',
              identifiers: [hive],
            },
          },
        },
      };
      expect((await post(ctx().app, datasetEvent)).status).toBe(201);
      expect((await call('GET', datasetPath(hive.namespace, hive.name))).status).toBe(200);
      const purged = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: hive.namespace, name: hive.name });
      expect(purged.json.removed).toMatchObject({ events: 1, runs: 0, datasets: 1, namespaces: 1 });
      expect(purged.json.rederived).toMatchObject({ events: 4, datasets: 1, vanished: [] });
      expect((await call('GET', datasetPath(S3, '/marts/report'))).status).toBe(200);
      // The reader's column lineage names public.orders too (runStory's facet), though it never reads it: its
      // run goes with the writer's.
      const orders = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: PG, name: 'public.orders' });
      expect(orders.json.removed).toMatchObject({ runs: 2, events: 8, datasets: 1 });
      expect(await staleDocuments(ctx().db)).toEqual([]);
      const after = await snapshot(ctx().db);
      await replayEvents(ctx().db, { rebuild: true });
      expect(await snapshot(ctx().db)).toEqual(after);
    });

    it('removes the events still queued that name it, so they cannot bring it back', async () => {
      const s = await load();
      const queued = structuredClone(s.reader.events[2]!) as Json;
      queued.run.runId = '0190e7a4-6f0a-7a11-8000-000000000004';
      expect((await post(ctx().app, queued, { wait: false })).status).toBe(201);
      const purged = await call('POST', '/api/v1/admin/purge', { kind: 'job', namespace: SPARK, name: 'etl.reader' });
      expect(purged.json.removed.events).toBe(5);
      await ctx().normalizer.drain();
      expect((await call('GET', jobPath(SPARK, 'etl.reader'))).status).toBe(404);
      expect(await count(ctx().db, 'pending_events')).toBe(0);
    });

    it('refuses (409) when a model version is linked to a run that would go, unless forced', async () => {
      const s = await load();
      await call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'clf' });
      await call('POST', '/api/2.0/mlflow/model-versions/create', { name: 'clf', source: 's3://models/clf/1', run_id: s.writer.runId });
      const refused = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: PG, name: 'public.orders' });
      expect(refused.status).toBe(409);
      expect(refused.json.detail).toContain('clf/1');
      expect(await count(ctx().db, 'lineage_events')).toBe(8);
      const forced = await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: PG, name: 'public.orders', force: true });
      expect(forced.status).toBe(200);
      expect(forced.json.modelVersions).toEqual([{ name: 'clf', version: 1 }]);
      expect(await count(ctx().db, 'model_version_links', `run_id = '${s.writer.runId}'`)).toBe(0);
      expect(await count(ctx().db, 'model_versions')).toBe(1);
    });

    it('answers 404 for what does not exist, and refuses a body that names nothing', async () => {
      expect((await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: 'nowhere', name: 'x' })).json.detail).toBe(
        "Namespace 'nowhere' not found.",
      );
      await load();
      expect((await call('POST', '/api/v1/admin/purge', { kind: 'job', namespace: SPARK, name: 'nope' })).status).toBe(404);
      expect((await call('POST', '/api/v1/admin/purge', { kind: 'dataset', namespace: S3 })).status).toBe(400);
      expect((await call('POST', '/api/v1/admin/purge', { kind: 'table', namespace: S3, name: 'x' })).status).toBe(400);
    });
  });

  it('answered every deletion route, each as declared', () => {
    expect(declaredRoutes(deletionRoutes, '/api/v1').filter((r) => !declared.succeeded.has(r))).toEqual([]);
  });
});

const PRINCIPALS = JSON.stringify([
  { name: 'reader', key: 'read-key', scopes: ['read'] },
  { name: 'writer', key: 'write-key', scopes: ['read', 'write'] },
  { name: 'root', key: 'admin-key', scopes: ['admin'] },
]);

describe.each(databases)('deletion scopes on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_PRINCIPALS: PRINCIPALS });
  const as = (key: string | undefined, method: string, path: string, body?: unknown) =>
    ctx().app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('hiding needs write, purging admin, reading the audit log read', async () => {
    const s = stories();
    for (const e of s.writer.events)
      expect((await post(ctx().app, e, { headers: { authorization: 'Bearer admin-key' } })).status).toBe(201);
    const purgeBody = { kind: 'job', namespace: SPARK, name: 'etl.orders_daily' };
    expect((await as(undefined, 'DELETE', jobPath(SPARK, 'etl.orders_daily'))).status).toBe(401);
    expect((await as('read-key', 'DELETE', jobPath(SPARK, 'etl.orders_daily'))).status).toBe(403);
    expect((await as('read-key', 'DELETE', `/api/v1/namespaces/${enc(S3)}`)).status).toBe(403);
    expect((await as('write-key', 'POST', '/api/v1/admin/purge', purgeBody)).status).toBe(403);
    expect((await as('write-key', 'DELETE', jobPath(SPARK, 'etl.orders_daily'))).status).toBe(200);
    expect((await as('root', 'POST', '/api/v1/admin/purge', purgeBody)).status).toBe(401);
    expect((await as('admin-key', 'POST', '/api/v1/admin/purge', purgeBody)).status).toBe(200);
    const audit = (await (await as('read-key', 'GET', '/api/v1/audit')).json()) as Json;
    expect(audit.entries.map((e: Json) => [e.actor, e.action])).toEqual([
      ['root', 'job.purged'],
      ['writer', 'job.hidden'],
    ]);
    expect((await as(undefined, 'GET', '/api/v1/audit')).status).toBe(401);
    const [row] = await rows<{ n: number }>(ctx().db.orm, sql`select count(*)::int as n from lineage_events`);
    expect(row!.n).toBe(0);
  });
});
