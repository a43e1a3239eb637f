import { beforeAll, describe, expect, it } from 'vitest';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { jobRun } from './support/lineage-events';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;
const enc = encodeURIComponent;

/** Names with what JSON escapes (quotes, backslashes, a control character), colons and non-ASCII text. */
const NS = 'pg://db:5432';
const SOURCE = { namespace: NS, name: 'public."Orders" \\ ✓' };
const JOB = 'load "raw" \\ \u0007 ✓';
const JOB_NS = 'etl:spark';

/** Marquez's JobData members in its order: the graph's inputs and outputs after the namespace. */
const JOB_DATA_KEYS = [
  'id',
  'type',
  'name',
  'simpleName',
  'parentJobName',
  'parentJobUuid',
  'createdAt',
  'updatedAt',
  'namespace',
  'inputs',
  'outputs',
  'location',
  'description',
  'latestRun',
  'currentRunUuid',
];
const DATASET_DATA_KEYS = [
  'id',
  'type',
  'name',
  'physicalName',
  'createdAt',
  'updatedAt',
  'namespace',
  'sourceName',
  'fields',
  'tags',
  'lastModifiedAt',
  'lastLifecycleState',
  'description',
];

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byEdge = (a: Json, b: Json) => byId(a.origin, b.origin) || byId(a.destination, b.destination);

describe.each(databases)('lineage graphs assembled around the stored node documents on $name', (database) => {
  const ctx = useDatabase(database);
  beforeAll(async () => {
    const runs = [
      jobRun(JOB, [SOURCE], ['stage_a', 'stage_b'], '2024-03-01T00:00:00Z', { namespace: JOB_NS }),
      jobRun('transform', ['stage_a', 'stage_b'], ['mart'], '2024-03-01T01:00:00Z'),
      // Reads and writes the same table: the edge both ways, once each.
      jobRun('refresh', ['mart'], ['mart'], '2024-03-01T02:00:00Z'),
    ];
    for (const run of runs) for (const event of run.events) expect((await post(ctx().app, event)).status).toBe(201);
  });

  async function graphOf(nodeId: string, query = 'depth=all'): Promise<Json[]> {
    const res = await ctx().app.request(`/api/v1/lineage?nodeId=${enc(nodeId)}&${query}`);
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return (JSON.parse(text) as { graph: Json[] }).graph;
  }

  const get = async (path: string) => (await (await ctx().app.request(path)).json()) as Json;

  it("answers Marquez's nodes: sorted, each job's data its document's with its graph inputs and outputs, in Marquez's order", async () => {
    const graph = await graphOf('dataset:warehouse:stage_a');
    const ids = graph.map((n) => n.id);
    expect(ids).toEqual([...ids].sort(byId));
    expect(ids).toEqual([
      `dataset:${NS}:${SOURCE.name}`,
      'dataset:warehouse:mart',
      'dataset:warehouse:stage_a',
      'dataset:warehouse:stage_b',
      `job:${JOB_NS}:${JOB}`,
      'job:pipelines:refresh',
      'job:pipelines:transform',
    ]);
    const nodes = new Map(graph.map((n) => [n.id, n]));
    for (const n of graph) {
      expect(Object.keys(n)).toEqual(['id', 'type', 'data', 'inEdges', 'outEdges']);
      expect(n.inEdges).toEqual([...n.inEdges].sort(byEdge));
      expect(n.outEdges).toEqual([...n.outEdges].sort(byEdge));
      for (const e of n.outEdges) expect(nodes.get(e.destination)!.inEdges).toContainEqual(e);
      for (const e of n.inEdges) expect(nodes.get(e.origin)!.outEdges).toContainEqual(e);
      const nameOf = (id: string) => nodes.get(id)!.data;
      if (n.type === 'JOB') {
        expect(Object.keys(n.data)).toEqual(JOB_DATA_KEYS);
        // Its inputs and outputs are its edges in the graph, by namespace then name.
        const datasets = (list: Json[], end: 'origin' | 'destination') =>
          list.map((e) => ({ namespace: nameOf(e[end]).namespace, name: nameOf(e[end]).name }));
        expect(n.data.inputs).toEqual(datasets(n.inEdges, 'origin'));
        expect(n.data.outputs).toEqual(datasets(n.outEdges, 'destination'));
        // The rest is the job's own document (its GET), as the read model keeps it.
        const job = await get(`/api/v1/namespaces/${enc(n.data.namespace)}/jobs/${enc(n.data.name)}`);
        for (const k of JOB_DATA_KEYS.filter((k) => !['inputs', 'outputs', 'currentRunUuid'].includes(k))) {
          expect(n.data[k], k).toEqual(job[k]);
        }
        expect(n.data.currentRunUuid).toBe(job.latestRun.id);
      } else {
        expect(Object.keys(n.data)).toEqual(DATASET_DATA_KEYS);
        const dataset = await get(`/api/v1/namespaces/${enc(n.data.namespace)}/datasets/${enc(n.data.name)}`);
        for (const k of DATASET_DATA_KEYS) expect(n.data[k], k).toEqual(dataset[k]);
      }
    }
    const load = nodes.get(`job:${JOB_NS}:${JOB}`)!;
    expect(load.data.name).toBe(JOB);
    expect(load.data.inputs).toEqual([SOURCE]);
    expect(load.data.outputs).toEqual([
      { namespace: 'warehouse', name: 'stage_a' },
      { namespace: 'warehouse', name: 'stage_b' },
    ]);
    const refresh = nodes.get('job:pipelines:refresh')!;
    expect(refresh.inEdges).toEqual([{ origin: 'dataset:warehouse:mart', destination: 'job:pipelines:refresh' }]);
    expect(refresh.outEdges).toEqual([{ origin: 'job:pipelines:refresh', destination: 'dataset:warehouse:mart' }]);
    expect(refresh.data.inputs).toEqual([{ namespace: 'warehouse', name: 'mart' }]);
    expect(refresh.data.outputs).toEqual([{ namespace: 'warehouse', name: 'mart' }]);
  });

  it('answers the same graph from a job node, and a start with no edges as itself alone', async () => {
    const fromJob = await graphOf('job:pipelines:transform');
    const fromDataset = await graphOf('dataset:warehouse:stage_a');
    expect(fromJob).toEqual(fromDataset);
    const upstream = await graphOf('job:pipelines:transform', 'depth=0&direction=upstream');
    expect(upstream.map((n) => n.id)).toEqual([
      'dataset:warehouse:mart',
      'dataset:warehouse:stage_a',
      'dataset:warehouse:stage_b',
      'job:pipelines:transform',
    ]);
    const alone = await graphOf(`dataset:${NS}:${SOURCE.name}`, 'depth=0&direction=upstream');
    expect(alone.map((n) => n.id)).toEqual([`dataset:${NS}:${SOURCE.name}`]);
    expect(alone[0]).toMatchObject({ inEdges: [], outEdges: [], data: { name: SOURCE.name } });
  });

  it('leaves hidden datasets and jobs out of the nodes, the edges and the jobs’ inputs and outputs', async () => {
    expect((await ctx().app.request('/api/v1/namespaces/warehouse/datasets/stage_b', { method: 'DELETE' })).status).toBe(200);
    const graph = await graphOf('dataset:warehouse:stage_a');
    expect(graph.map((n) => n.id)).not.toContain('dataset:warehouse:stage_b');
    const edges = graph.flatMap((n) => [...n.inEdges, ...n.outEdges]).flatMap((e) => [e.origin, e.destination]);
    expect(edges).not.toContain('dataset:warehouse:stage_b');
    const load = graph.find((n) => n.id === `job:${JOB_NS}:${JOB}`)!;
    expect(load.data.outputs).toEqual([{ namespace: 'warehouse', name: 'stage_a' }]);
    const transform = graph.find((n) => n.id === 'job:pipelines:transform')!;
    expect(transform.data.inputs).toEqual([{ namespace: 'warehouse', name: 'stage_a' }]);

    expect((await ctx().app.request('/api/v1/namespaces/pipelines/jobs/transform', { method: 'DELETE' })).status).toBe(200);
    const cut = await graphOf('dataset:warehouse:stage_a');
    // The walk stops at the hidden job: what lies only beyond it is gone too.
    expect(cut.map((n) => n.id)).toEqual([`dataset:${NS}:${SOURCE.name}`, 'dataset:warehouse:stage_a', `job:${JOB_NS}:${JOB}`]);
    expect(cut.find((n) => n.id === 'dataset:warehouse:stage_a')!.outEdges).toEqual([]);
  });
});

describe.each(databases)('listings assembled around the stored documents on $name', (database) => {
  const ctx = useDatabase(database);
  beforeAll(async () => {
    for (const [i, job] of ['a', 'b', 'c'].entries()) {
      const run = jobRun(job, [`in_${job}`], [`out_${job}`], `2024-03-0${i + 1}T00:00:00Z`);
      for (const event of run.events) expect((await post(ctx().app, event)).status).toBe(201);
    }
  });
  const text = async (path: string) => {
    const res = await ctx().app.request(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  it('answers each page in order with its documents, a page past the end empty, with the total', async () => {
    const jobs = JSON.parse(await text('/api/v1/namespaces/pipelines/jobs?limit=2')) as Json;
    expect(jobs.totalCount).toBe(3);
    expect(jobs.jobs.map((j: Json) => j.name)).toEqual(['c', 'b']);
    expect(jobs.jobs[0]).toEqual(await (await ctx().app.request('/api/v1/namespaces/pipelines/jobs/c')).json());
    const rest = JSON.parse(await text(`/api/v1/namespaces/pipelines/jobs?limit=2&cursor=${jobs.nextCursor}`)) as Json;
    expect(rest.jobs.map((j: Json) => j.name)).toEqual(['a']);
    expect(rest.nextCursor).toBeNull();
    expect(await text('/api/v1/namespaces/pipelines/jobs?limit=2&offset=10')).toBe('{"totalCount":3,"jobs":[],"nextCursor":null}');
    expect(await text('/api/v1/namespaces/nowhere/jobs')).toBe('{"totalCount":0,"jobs":[],"nextCursor":null}');

    const datasets = JSON.parse(await text('/api/v1/namespaces/warehouse/datasets?limit=4')) as Json;
    expect(datasets.totalCount).toBe(6);
    expect(datasets.datasets.map((d: Json) => d.name)).toEqual(['in_a', 'in_b', 'in_c', 'out_a']);
    expect(datasets.datasets[3]).toEqual(await (await ctx().app.request('/api/v1/namespaces/warehouse/datasets/out_a')).json());
    const more = JSON.parse(await text(`/api/v1/namespaces/warehouse/datasets?limit=4&cursor=${datasets.nextCursor}`)) as Json;
    expect(more.datasets.map((d: Json) => d.name)).toEqual(['out_b', 'out_c']);
    expect(await text('/api/v1/namespaces/warehouse/datasets?offset=6')).toBe('{"totalCount":6,"datasets":[],"nextCursor":null}');
    expect((await ctx().app.request('/api/v1/namespaces/nowhere/datasets')).status).toBe(404);
  });
});
