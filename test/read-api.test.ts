import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { select } from '../src/db/sql';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';
import { corpusFiles, corpusText, post } from './support/events';
import { jobRun } from './support/lineage-events';
import { marquezErrors } from './support/marquez-openapi';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely; their shapes are checked by the OpenAPI validator.
type Json = Record<string, any>;
const enc = encodeURIComponent;

describe.each(databases)('read API over the shared corpus on $name', (database) => {
  const ctx = useDatabase(database);
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    for (const file of corpusFiles()) await post(ctx().app, corpusText(file));
    declared = await DeclaredAnswers.of(ctx().app);
  });

  /**
   * GETs `path`, expects 200 and a body valid against the route's own declaration (/openapi.json) and
   * against Marquez's schema `schema`.
   */
  async function get(path: string, schema?: string): Promise<Json> {
    const res = await declared.request(ctx().app, path);
    const text = await res.text();
    expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
    const body = JSON.parse(text);
    if (schema) expect(marquezErrors(schema, body), `${path} against ${schema}`).toEqual([]);
    return body;
  }

  it('answers every listing and entity in the shapes of the Marquez OpenAPI document', async () => {
    const { namespaces } = await get('/api/v1/namespaces', 'NamespaceList');
    expect(namespaces.length).toBeGreaterThan(5);
    await get('/api/v1/sources', 'SourceList');
    await get('/api/v1/tags', 'TagList');
    let checkedRuns = 0;
    for (const ns of namespaces) {
      const n = enc(ns.name);
      expect(await get(`/api/v1/namespaces/${n}`, 'Namespace')).toMatchObject({ name: ns.name, isHidden: false });
      const { datasets, totalCount } = await get(`/api/v1/namespaces/${n}/datasets`, 'DatasetList');
      expect(datasets.length).toBe(totalCount);
      for (const d of datasets) {
        const path = `/api/v1/namespaces/${n}/datasets/${enc(d.name)}`;
        expect(await get(path, 'Dataset')).toEqual(d);
        const { versions } = await get(`${path}/versions`, 'DatasetVersionList');
        for (const v of versions.slice(0, 2)) expect(await get(`${path}/versions/${v.version}`, 'DatasetVersion')).toEqual(v);
        await get(`/api/v1/lineage?nodeId=dataset:${n}:${enc(d.name)}&depth=2`, 'LineageGraph');
        await get(`/api/v1/column-lineage?nodeId=dataset:${n}:${enc(d.name)}&depth=2&withDownstream=true`, 'LineageGraph');
      }
      const { jobs, totalCount: jobCount } = await get(`/api/v1/namespaces/${n}/jobs`, 'JobList');
      expect(jobs.length).toBe(jobCount);
      for (const j of jobs) {
        const path = `/api/v1/namespaces/${n}/jobs/${enc(j.name)}`;
        expect(await get(path, 'Job')).toEqual(j);
        const { versions } = await get(`${path}/versions`, 'JobVersionList');
        for (const v of versions.slice(0, 2)) await get(`${path}/versions/${v.version}`, 'JobVersion');
        const { runs } = await get(`${path}/runs`, 'RunList');
        expect(j.latestRuns?.length ?? 0).toBeLessThanOrEqual(10);
        for (const r of runs.slice(0, 2)) {
          expect(await get(`/api/v1/jobs/runs/${r.id}`, 'Run')).toEqual(r);
          await get(`/api/v1/jobs/runs/${r.id}/facets?type=run`, 'FacetsResult');
          await get(`/api/v1/jobs/runs/${r.id}/facets?type=job`, 'FacetsResult');
          await get(`/api/v1/runlineage/upstream?runId=${r.id}`, 'UpstreamRunLineage');
          checkedRuns++;
        }
        await get(`/api/v1/lineage?nodeId=job:${n}:${enc(j.name)}`, 'LineageGraph');
      }
    }
    expect(checkedRuns).toBeGreaterThan(20);
    await get('/api/v1/events/lineage?limit=5', 'LineageEventList');
    await get('/api/v1/search?q=upload&sort=UPDATE_AT&limit=100', 'SearchResultList');
  });

  it("gives the Airflow scenario's GCS -> BigQuery -> BigQuery -> GCS chain, upstream from the last file", async () => {
    const { graph } = await get('/api/v1/lineage?nodeId=dataset:gs://mock-bucket:result.csv&depth=all&direction=upstream');
    const ids = graph.map((n: Json) => n.id);
    expect(ids).toEqual([
      'dataset:bigquery:mock-project.test.upload',
      'dataset:bigquery:mock-project.test.upload_cp',
      'dataset:gs://mock-bucket:copied.csv',
      'dataset:gs://mock-bucket:result.csv',
      'dataset:gs://mock-bucket:test.csv',
      'job:airflow:BQ.copy',
      'job:airflow:BQ.download',
      'job:airflow:BQ.upload',
    ]);
    const edges = graph.flatMap((n: Json) => n.outEdges.map((e: Json) => `${e.origin} -> ${e.destination}`));
    expect(edges.sort()).toEqual(
      [
        'dataset:bigquery:mock-project.test.upload -> job:airflow:BQ.copy',
        'dataset:bigquery:mock-project.test.upload_cp -> job:airflow:BQ.download',
        'dataset:gs://mock-bucket:copied.csv -> job:airflow:BQ.upload',
        'dataset:gs://mock-bucket:test.csv -> job:airflow:BQ.upload',
        'job:airflow:BQ.copy -> dataset:bigquery:mock-project.test.upload_cp',
        'job:airflow:BQ.download -> dataset:gs://mock-bucket:result.csv',
        'job:airflow:BQ.upload -> dataset:bigquery:mock-project.test.upload',
      ].sort(),
    );
    // In and out edges agree: every out edge of a node is an in edge of its destination.
    const byId = new Map(graph.map((n: Json) => [n.id, n]));
    for (const n of graph) for (const e of n.outEdges) expect((byId.get(e.destination) as Json).inEdges).toContainEqual(e);
  });

  it('follows the Airflow column lineage from result.csv.a back to both source files', async () => {
    const { graph } = await get('/api/v1/column-lineage?nodeId=datasetField:gs://mock-bucket:result.csv:a&depth=10');
    expect(graph.map((n: Json) => n.id)).toEqual([
      'datasetField:bigquery:mock-project.test.upload:a',
      'datasetField:bigquery:mock-project.test.upload_cp:a',
      'datasetField:gs://mock-bucket:copied.csv:a',
      'datasetField:gs://mock-bucket:result.csv:a',
      'datasetField:gs://mock-bucket:test.csv:a',
    ]);
    const result = graph.find((n: Json) => n.id === 'datasetField:gs://mock-bucket:result.csv:a');
    // Marquez's edge convention, which its web UI reads: origin is the node itself on both sides.
    expect(result.inEdges).toEqual([
      { origin: 'datasetField:gs://mock-bucket:result.csv:a', destination: 'datasetField:bigquery:mock-project.test.upload_cp:a' },
    ]);
    expect(result.data).toMatchObject({ namespace: 'gs://mock-bucket', dataset: 'result.csv', field: 'a' });
    expect(result.data.inputFields).toMatchObject([{ namespace: 'bigquery', dataset: 'mock-project.test.upload_cp', field: 'a' }]);
    const depth1 = await get('/api/v1/column-lineage?nodeId=datasetField:gs://mock-bucket:result.csv:a&depth=1');
    expect(depth1.graph.map((n: Json) => n.id)).toHaveLength(2);
  });

  it('gives the Spark column lineage of the CTAS table from both sources', async () => {
    const { graph } = await get('/api/v1/column-lineage?nodeId=dataset:file:/tmp/cll_test/tbl1&depth=5');
    const datasets = new Set<string>(graph.map((n: Json) => `${n.data.namespace}:${n.data.dataset}`));
    expect(datasets.has('file:/tmp/cll_test/tbl1')).toBe(true);
    expect([...datasets].some((d) => d.includes('cll_source1'))).toBe(true);
    expect([...datasets].some((d) => d.includes('cll_source2'))).toBe(true);
  });

  it("gives a job's column lineage, from its outputs' fields, and names a node id none of whose readings is stored", async () => {
    const dataset = 'dataset:file:/tmp/cll_test/tbl1';
    const around = await get(`/api/v1/lineage?nodeId=${enc(dataset)}&depth=1`);
    const writer = around.graph.find((n: Json) => n.type === 'JOB' && n.outEdges.some((e: Json) => e.destination === dataset));
    const fromJob = await get(`/api/v1/column-lineage?nodeId=${enc(writer.id)}&depth=5`);
    const fromDataset = await get(`/api/v1/column-lineage?nodeId=${enc(dataset)}&depth=5`);
    expect(fromJob.graph.length).toBeGreaterThan(2);
    expect(fromJob.graph).toEqual(fromDataset.graph);
    for (const missing of ['dataset:file:/tmp/cll_test/none', 'datasetField:file:/tmp/cll_test/none:a', 'job:spark:none']) {
      const res = await ctx().app.request(`/api/v1/column-lineage?nodeId=${enc(missing)}`);
      expect(res.status, missing).toBe(404);
      expect(((await res.json()) as Json).detail).toContain(`matches node id "${missing}"`);
    }
    expect((await ctx().app.request(`/api/v1/column-lineage?nodeId=dataset:nocolon`)).status).toBe(400);
  });

  it('lists only RunEvents, verbatim, newest first, and pages them', async () => {
    const all = await get('/api/v1/events/lineage?limit=1000');
    expect(all.events.length).toBe(all.totalCount);
    // The corpus holds DatasetEvents and JobEvents too: neither is listed nor counted.
    const [kinds] = await select<{ run: number; other: number }>(
      ctx().db,
      sql`select count(*) filter (where kind = 'run')::int as run, count(*) filter (where kind <> 'run')::int as other from lineage_events`,
    );
    expect(kinds!.other).toBeGreaterThan(0);
    expect(all.totalCount).toBe(kinds!.run);
    for (const e of all.events) expect(typeof e.job.name).toBe('string');
    const times = all.events.map((e: Json) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const page = await get('/api/v1/events/lineage?limit=3&offset=2&sortDirection=desc');
    expect(page.events).toEqual(all.events.slice(2, 5));
    // The web UI's window: local wall time with a literal .000Z.
    const window = await get('/api/v1/events/lineage?before=2024-11-26T13:10:00.000Z&after=2024-11-26T13:00:00.000Z');
    for (const e of window.events) expect(Date.parse(e.eventTime)).toBeLessThan(Date.parse('2024-11-26T13:10:00Z'));
    const runId = all.events[0].run.runId;
    const ofRun = await get(`/api/v1/events/lineage?runId=${runId}`);
    expect(ofRun.events.every((e: Json) => e.run.runId === runId)).toBe(true);
  });

  it('lists the runs naming a run as their parent, with their jobs (Pedigree extension)', async () => {
    // The Airflow DAG run gcs_hook and its task runs.
    const parent = '01936898-5bd1-70bf-9ca2-4953116e45e1';
    const { runs, totalCount } = await get(`/api/v1/jobs/runs/${parent}/children`);
    expect(totalCount).toBe(runs.length);
    expect(totalCount).toBeGreaterThan(3);
    for (const child of runs) {
      expect(child.job.namespace).toBe('airflow');
      expect(child.job.name).toMatch(/^gcs_hook\./);
      expect(child.state).toBe('COMPLETED');
      const facets = await get(`/api/v1/jobs/runs/${child.id}/facets?type=run`);
      expect(facets.facets.parent.run.runId).toBe(parent);
    }
    const starts = runs.map((r: Json) => r.startedAt ?? r.createdAt);
    expect([...starts].sort()).toEqual(starts);
    const page = await get(`/api/v1/jobs/runs/${parent}/children?limit=2&offset=1`);
    expect(page).toEqual({ totalCount, runs: runs.slice(1, 3) });
    // A run without children has none; an unknown run is a 404.
    expect(await get(`/api/v1/jobs/runs/${runs[0].id}/children`)).toEqual({ totalCount: 0, runs: [] });
    expect((await ctx().app.request('/api/v1/jobs/runs/00000000-0000-0000-0000-000000000000/children')).status).toBe(404);
    expect((await ctx().app.request('/api/v1/jobs/runs/nope/children')).status).toBe(404);
  });

  it("keeps each listed event's ingest record beside it: id, receipt time, warnings (Pedigree extension)", async () => {
    const { runId, events } = jobRun('with_warnings', ['in_table'], ['out_table'], '2025-02-03T04:05:06Z');
    // An input without a name is stored with a warning.
    const start = { ...events[0]!, inputs: [...events[0]!.inputs, { namespace: 'warehouse' }] };
    const accepted = (await (await post(ctx().app, start)).json()) as Json;
    expect(accepted.warnings.length).toBeGreaterThan(0);
    expect((await post(ctx().app, events[1])).status).toBe(201);
    const listed = await get(`/api/v1/events/lineage?runId=${runId}&sortDirection=asc`);
    expect(listed.events.map((e: Json) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(listed.ingest).toHaveLength(2);
    expect(listed.ingest[0]).toMatchObject({ id: accepted.id, warnings: accepted.warnings });
    expect(listed.ingest[0].receivedAt).toMatch(/Z$/);
    expect(listed.ingest[1].warnings).toEqual([]);
    const desc = await get(`/api/v1/events/lineage?runId=${runId}`);
    expect(desc.ingest.map((i: Json) => i.id)).toEqual([...listed.ingest.map((i: Json) => i.id)].reverse());
    expect((await get('/api/v1/events/lineage?limit=3')).ingest).toHaveLength(3);
    expect((await get('/api/v1/events/lineage?runId=00000000-0000-0000-0000-000000000000')).ingest).toEqual([]);
  });

  it('answers the dashboard: stats as bare arrays of buckets, jobs across namespaces', async () => {
    const day = (await get('/api/v1/stats/lineage-events?period=DAY&timezone=Europe/Paris')) as unknown as Json[];
    expect(day).toHaveLength(24);
    expect(Object.keys(day[0]!).sort()).toEqual(['abort', 'complete', 'endInterval', 'fail', 'start', 'startInterval']);
    const week = (await get('/api/v1/stats/datasets?period=WEEK&timezone=Asia/Kolkata')) as unknown as Json[];
    expect(week).toHaveLength(7);
    expect(week[0]!.startInterval).toMatch(/T00:00:00Z$/);
    // Cumulative: every dataset of the corpus was created before this week.
    const { totalCount } = await get('/api/v1/namespaces/bigquery/datasets');
    expect(week[6]!.count).toBeGreaterThanOrEqual(totalCount);
    const jobs = await get('/api/v1/jobs?limit=10&offset=0', 'JobList');
    expect(jobs.jobs).toHaveLength(10);
    const completed = await get('/api/v1/jobs?limit=1000&lastRunStates=COMPLETED');
    expect(completed.jobs.every((j: Json) => j.latestRun?.state === 'COMPLETED')).toBe(true);
    expect(completed.totalCount).toBe(completed.jobs.length);
  });

  it('searches jobs and datasets as the web UI asks (q unencoded, sort, filter)', async () => {
    const all = await get('/api/v1/search?q=upload&sort=NAME&limit=100');
    expect(all.results.map((r: Json) => r.nodeId)).toContain('dataset:bigquery:mock-project.test.upload');
    expect(all.results.map((r: Json) => r.nodeId)).toContain('job:airflow:BQ.upload');
    const names = all.results.map((r: Json) => r.name);
    expect([...names].sort()).toEqual(names);
    const onlyJobs = await get('/api/v1/search?q=upload&sort=UPDATE_AT&limit=100&filter=JOB');
    expect(onlyJobs.results.every((r: Json) => r.type === 'JOB')).toBe(true);
    expect(onlyJobs.totalCount).toBe(onlyJobs.results.length);
  });
});

describe.each(databases)('read API errors and paging on $name', (database) => {
  const ctx = useDatabase(database);
  beforeAll(async () => {
    for (const file of corpusFiles()) await post(ctx().app, corpusText(file));
  });

  const problem = async (path: string, status: number, pointer?: string) => {
    const res = await ctx().app.request(path);
    expect(res.status, path).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as Json;
    expect(body.code).toBe(status);
    if (pointer) expect(body.errors.map((e: Json) => e.pointer)).toContain(pointer);
    return body;
  };

  it('answers 404 problem+json for unknown namespaces, datasets, jobs, runs and nodes', async () => {
    expect((await problem('/api/v1/namespaces/nope', 404)).message).toBe("Namespace 'nope' not found.");
    await problem('/api/v1/namespaces/nope/datasets', 404);
    expect((await problem('/api/v1/namespaces/bigquery/datasets/nope', 404)).message).toBe("Dataset 'nope' not found.");
    await problem('/api/v1/namespaces/bigquery/datasets/mock-project.test.upload/versions/not-a-version', 404);
    await problem('/api/v1/namespaces/airflow/jobs/nope', 404);
    await problem('/api/v1/namespaces/airflow/jobs/BQ.upload/versions/00000000-0000-0000-0000-000000000000', 404);
    await problem('/api/v1/jobs/runs/00000000-0000-0000-0000-000000000000', 404);
    await problem('/api/v1/jobs/runs/not-a-uuid', 404);
    await problem('/api/v1/lineage?nodeId=dataset:bigquery:nope', 404);
    await problem('/api/v1/runlineage/upstream?runId=00000000-0000-0000-0000-000000000000', 404);
  });

  it('answers 400 naming the parameter for bad parameters', async () => {
    await problem('/api/v1/namespaces/bigquery/datasets?limit=abc', 400, '/query/limit');
    await problem('/api/v1/namespaces/bigquery/datasets?offset=-1', 400, '/query/offset');
    await problem('/api/v1/lineage', 400, '/query/nodeId');
    await problem('/api/v1/lineage?nodeId=table:x:y', 400, '/query/nodeId');
    await problem('/api/v1/lineage?nodeId=dataset:bigquery:mock-project.test.upload&depth=deep', 400, '/query/depth');
    await problem('/api/v1/lineage?nodeId=dataset:bigquery:mock-project.test.upload&direction=sideways', 400, '/query/direction');
    await problem('/api/v1/lineage?nodeId=dataset:bigquery:mock-project.test.upload&asOf=yesterday', 400, '/query/asOf');
    await problem('/api/v1/jobs/runs/01936898-5bd1-70bf-9ca2-4953116e45e1/facets', 400, '/query/type');
    await problem('/api/v1/search?q=', 400, '/query/q');
    await problem('/api/v1/search?q=x&sort=updated_at', 400, '/query/sort');
    await problem('/api/v1/search?q=x&before=2024', 400, '/query/before');
    await problem('/api/v1/stats/jobs', 400, '/query/period');
    await problem('/api/v1/stats/jobs?period=WEEK&timezone=Mars/Olympus', 400, '/query/timezone');
    await problem('/api/v1/jobs?lastRunStates=SLEEPING', 400, '/query/lastRunStates');
    await problem('/api/v1/events/lineage?before=soon', 400, '/query/before');
    await problem('/api/v1/namespaces/bigquery/datasets?cursor=garbage', 400, '/query/cursor');
  });

  it('pages with limit/offset and with keyset cursors, each row once', async () => {
    const all = await (await ctx().app.request('/api/v1/namespaces/gs%3A%2F%2Fmock-bucket/datasets?limit=1000')).json();
    const names: string[] = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const page = (await (
        await ctx().app.request(`/api/v1/namespaces/gs%3A%2F%2Fmock-bucket/datasets?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as Json;
      names.push(...page.datasets.map((d: Json) => d.name));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(names).toEqual(all.datasets.map((d: Json) => d.name));
    const offset = (await (await ctx().app.request('/api/v1/namespaces/gs%3A%2F%2Fmock-bucket/datasets?limit=2&offset=2')).json()) as Json;
    expect(offset.datasets).toEqual(all.datasets.slice(2, 4));
    const jobs = (await (await ctx().app.request('/api/v1/jobs?limit=1000')).json()) as Json;
    const seen: string[] = [];
    cursor = '';
    for (let i = 0; i < 100; i++) {
      const page = (await (await ctx().app.request(`/api/v1/jobs?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).json()) as Json;
      seen.push(...page.jobs.map((j: Json) => `${j.namespace}:${j.name}`));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(jobs.jobs.map((j: Json) => `${j.namespace}:${j.name}`));
  });

  it('keeps the per-namespace counts behind totalCount equal to the rows, through deletes too', async () => {
    type Counted = { jobs: string | null; datasets: string | null; job_rows: string; dataset_rows: string };
    const counts = async () =>
      select<Counted>(
        ctx().db,
        sql`select n.id, c.jobs, c.datasets,
          (select count(*) from jobs j where j.namespace_id = n.id)::bigint as job_rows,
          (select count(*) from datasets d where d.namespace_id = n.id)::bigint as dataset_rows
        from (select namespace_id as id from jobs union select namespace_id from datasets) n
        left join namespace_counts c on c.namespace_id = n.id`,
      );
    const before = await counts();
    expect(before.length).toBeGreaterThan(5);
    for (const r of before) expect([Number(r.jobs), Number(r.datasets)]).toEqual([Number(r.job_rows), Number(r.dataset_rows)]);
    // A delete goes through the same triggers; the transaction is then rolled back.
    const rollBack = new Error('roll back');
    const deleting = ctx().db.transaction(async (query) => {
      await query(sql`delete from jobs where id = (select id from jobs order by id limit 1)`);
      const [kept] = await query<{ n: number }>(sql`select sum(jobs)::int as n from namespace_counts`);
      const [rows] = await query<{ n: number }>(sql`select count(*)::int as n from jobs`);
      expect(kept!.n).toBe(rows!.n);
      throw rollBack;
    });
    await expect(deleting).rejects.toBe(rollBack);
    expect(await counts()).toEqual(before);
  });

  it('answers each request in a fixed number of statements, whatever it nests', async () => {
    const { db, app } = ctx();
    // Statements go through drizzle's execute, or prepared ones through db.prepared, or listings' through
    // db.texts (both Postgres only).
    const spy = vi.spyOn(db.orm, 'execute');
    const preparedSpy = db.prepared ? vi.spyOn(db, 'prepared') : undefined;
    const textsSpy = db.texts ? vi.spyOn(db, 'texts') : undefined;
    const count = async (path: string) => {
      spy.mockClear();
      preparedSpy?.mockClear();
      textsSpy?.mockClear();
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      return spy.mock.calls.length + (preparedSpy?.mock.calls.length ?? 0) + (textsSpy?.mock.calls.length ?? 0);
    };
    // A listing: its page of keys and their documents (the read models) in one statement, whatever the
    // page's size.
    expect(await count('/api/v1/namespaces/airflow/jobs?limit=100')).toBe(1);
    expect(await count('/api/v1/namespaces/airflow/jobs?limit=1')).toBe(1);
    expect(await count('/api/v1/jobs?limit=100&lastRunStates=COMPLETED')).toBe(1);
    expect(await count('/api/v1/namespaces/gs%3A%2F%2Fmock-bucket/datasets')).toBe(1);
    expect(await count('/api/v1/namespaces/bigquery/datasets/mock-project.test.upload')).toBe(1);
    expect(await count('/api/v1/namespaces/bigquery/datasets/mock-project.test.upload/versions')).toBe(1);
    expect(await count('/api/v1/namespaces/airflow/jobs/BQ.upload/runs')).toBe(1);
    // The node id is resolved, then the graph walked with its nodes' documents, whatever the graph's size.
    expect(await count('/api/v1/lineage?nodeId=dataset:gs://mock-bucket:result.csv&depth=all')).toBe(2);
    expect(await count('/api/v1/lineage?nodeId=dataset:gs://mock-bucket:result.csv&depth=0')).toBeLessThanOrEqual(5);
    expect(await count('/api/v1/column-lineage?nodeId=dataset:gs://mock-bucket:result.csv&withDownstream=true')).toBe(1);
    expect(await count('/api/v1/events/lineage?limit=50')).toBe(1);
    expect(await count('/api/v1/search?q=a&sort=UPDATE_AT&limit=100')).toBe(1);
    spy.mockRestore();
    preparedSpy?.mockRestore();
    textsSpy?.mockRestore();
  });

  it('tags datasets, fields (upper-cased, as Marquez) and jobs', async () => {
    const { app } = ctx();
    const put = await app.request('/api/v1/tags/GOLD', { method: 'PUT', body: JSON.stringify({ description: 'curated' }) });
    expect(await put.json()).toEqual({ name: 'GOLD', description: 'curated' });
    const base = '/api/v1/namespaces/bigquery/datasets/mock-project.test.upload';
    const tagged = (await (await app.request(`${base}/tags/GOLD`, { method: 'POST' })).json()) as Json;
    expect(tagged.tags).toEqual(['GOLD']);
    const field = (await (await app.request(`${base}/fields/a/tags/pii`, { method: 'POST' })).json()) as Json;
    expect(field.fields.find((f: Json) => f.name === 'a').tags).toEqual(['PII']);
    expect((await app.request(`${base}/fields/nope/tags/pii`, { method: 'POST' })).status).toBe(404);
    const job = (await (await app.request('/api/v1/namespaces/airflow/jobs/BQ.upload/tags/critical', { method: 'POST' })).json()) as Json;
    expect(job.tags).toEqual(['critical']);
    const untagged = (await (await app.request(`${base}/tags/GOLD`, { method: 'DELETE' })).json()) as Json;
    expect(untagged.tags).toEqual([]);
    const tags = (await (await app.request('/api/v1/tags')).json()) as Json;
    expect(tags.tags.map((t: Json) => t.name)).toEqual(expect.arrayContaining(['GOLD', 'PII', 'SENSITIVE', 'critical']));
  });
});

describe.each(databases)('lineage walks: depth, cycles, direction, asOf on $name', (database) => {
  const ctx = useDatabase(database);
  beforeAll(async () => {
    const runs = [
      jobRun('j1', ['raw'], ['a'], '2024-01-01T00:00:00Z'),
      jobRun('j2', ['a'], ['b'], '2024-01-01T01:00:00Z'),
      jobRun('j3', ['b'], ['c'], '2024-01-01T02:00:00Z'),
      // Reads and writes the same table: a cycle.
      jobRun('j4', ['c'], ['c', 'd'], '2024-01-01T03:00:00Z'),
      // A month later j1 reads another source: its old input leaves the current graph.
      jobRun('j1', ['raw2'], ['a'], '2024-02-01T00:00:00Z'),
    ];
    for (const run of runs) for (const event of run.events) expect((await post(ctx().app, event)).status).toBe(201);
  });

  const jobsOf = async (query: string) => {
    const res = await ctx().app.request(`/api/v1/lineage?${query}`);
    expect(res.status, query).toBe(200);
    const { graph } = (await res.json()) as { graph: Json[] };
    return {
      jobs: graph.filter((n) => n.type === 'JOB').map((n) => n.data.name),
      datasets: graph.filter((n) => n.type === 'DATASET').map((n) => n.data.name),
      graph,
    };
  };
  const a = 'nodeId=dataset:warehouse:a';

  it('bounds the walk by job hops', async () => {
    expect((await jobsOf(`${a}&direction=downstream&depth=0`)).jobs).toEqual(['j2']);
    expect((await jobsOf(`${a}&direction=downstream&depth=1`)).jobs).toEqual(['j2', 'j3']);
    expect((await jobsOf(`${a}&direction=downstream&depth=2`)).jobs).toEqual(['j2', 'j3', 'j4']);
  });

  it('ends on a cycle, and shows it', async () => {
    const all = await jobsOf(`${a}&direction=downstream&depth=all`);
    expect(all.jobs).toEqual(['j2', 'j3', 'j4']);
    expect(all.datasets).toEqual(['a', 'b', 'c', 'd']);
    const j4 = all.graph.find((n) => n.id === 'job:pipelines:j4')!;
    expect(j4.inEdges).toContainEqual({ origin: 'dataset:warehouse:c', destination: 'job:pipelines:j4' });
    expect(j4.outEdges).toContainEqual({ origin: 'job:pipelines:j4', destination: 'dataset:warehouse:c' });
    expect((await jobsOf(`${a}&direction=downstream&depth=1000`)).jobs).toEqual(['j2', 'j3', 'j4']);
  });

  it('walks upstream, downstream or both', async () => {
    const b = 'nodeId=dataset:warehouse:b&depth=all';
    expect((await jobsOf(`${b}&direction=upstream`)).jobs).toEqual(['j1', 'j2']);
    expect((await jobsOf(`${b}&direction=downstream`)).jobs).toEqual(['j3', 'j4']);
    expect((await jobsOf(b)).jobs).toEqual(['j1', 'j2', 'j3', 'j4']);
    expect((await jobsOf('nodeId=job:pipelines:j3&depth=all&direction=upstream')).jobs).toEqual(['j1', 'j2', 'j3']);
  });

  it('shows the current version of each job, and the graph as it was with asOf', async () => {
    expect((await jobsOf(`${a}&direction=upstream`)).datasets).toEqual(['a', 'raw2']);
    expect((await jobsOf(`${a}&direction=upstream&asOf=2024-01-15T00:00:00Z`)).datasets).toEqual(['a', 'raw']);
    // Before j2 ever ran, a had no consumer.
    expect((await jobsOf(`${a}&direction=downstream&asOf=2024-01-01T00:30:00Z`)).jobs).toEqual([]);
  });

  it("keeps a job's outputs while its next run is in progress, and takes that run's once it completes", async () => {
    const send = async (events: unknown[]) => {
      for (const event of events) expect((await post(ctx().app, event)).status).toBe(201);
    };
    await send(jobRun('k1', ['x'], ['y'], '2024-03-01T00:00:00Z').events);
    const next = jobRun('k1', ['x'], ['z'], '2024-03-02T00:00:00Z');
    // Its START names only the inputs, as producers often send them: the outputs come on COMPLETE.
    await send([{ ...next.events[0]!, outputs: [] }]);
    const y = 'nodeId=dataset:warehouse:y&direction=upstream';
    expect((await jobsOf(y)).jobs).toEqual(['k1']);
    expect((await jobsOf(`${y}&asOf=2024-03-02T00:00:30Z`)).jobs).toEqual(['k1']);
    await send([next.events[1]!]);
    expect((await jobsOf(y)).jobs).toEqual([]);
    expect((await jobsOf('nodeId=dataset:warehouse:z&direction=upstream')).jobs).toEqual(['k1']);
    // As it was while the run was in progress, and once it had completed.
    expect((await jobsOf(`${y}&asOf=2024-03-02T00:00:30Z`)).jobs).toEqual(['k1']);
    expect((await jobsOf(`${y}&asOf=2024-03-02T00:02:00Z`)).jobs).toEqual([]);
  });
});
