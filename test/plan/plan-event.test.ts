import { describe, expect, it } from 'vitest';
import type { Deviation } from '../../src/core/errors';
import { parseEventTime } from '../../src/core/time';
import { ids } from '../../src/ids';
import { type EventPlan, planEvent } from '../../src/ingest/plan';
import { codeHash } from '../../src/ingest/plan/code';
import { understand } from '../../src/ingest/understand';

const runId = '0195a8e0-0000-7000-8000-000000000001';
const parentRunId = '0195a8e0-0000-7000-8000-0000000000aa';
const time = '2024-05-01T10:00:00.000Z';
/** As rows carry it: canonical UTC (core/time.ts). */
const stored = parseEventTime(time)!.iso;
const job = { namespace: 'spark://cluster', name: 'etl.orders_daily' };
const orders = { namespace: 'postgres://db:5432', name: 'public.orders' };
const daily = { namespace: 's3://warehouse', name: '/marts/orders_daily' };
const jobId = ids.job(job.namespace, job.name);
const ordersId = ids.dataset(orders.namespace, orders.name);
const dailyId = ids.dataset(daily.namespace, daily.name);

/** Plans an event as ingest does: understood first (it must be), then planned with an empty warning list. */
function plan(event: Record<string, unknown>): { plan: EventPlan; warnings: Deviation[] } {
  const u = understand(event);
  if (!u.ok) throw new Error(JSON.stringify(u.errors));
  const warnings: Deviation[] = [];
  return { plan: planEvent(u.event, 'event-1', JSON.stringify(event), warnings), warnings };
}

const runEvent = (over: Record<string, unknown> = {}) => ({
  eventType: 'COMPLETE',
  eventTime: time,
  producer: 'https://example.com/producer',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId, facets: {} },
  job: { ...job, facets: {} },
  inputs: [],
  outputs: [],
  ...over,
});

const facetOwners = (p: EventPlan, name: string) => p.facets.filter((f) => f.name === name).map((f) => [f.ownerKind, f.ownerId, f.runId]);

describe('planEvent: the verbatim event', () => {
  it.each([
    ['a RunEvent', runEvent(), { kind: 'run', eventType: 'COMPLETE', runId, jobId, datasetId: null }],
    ['a RunEvent without a type (read as OTHER)', runEvent({ eventType: undefined }), { kind: 'run', eventType: 'OTHER' }],
    [
      'a DatasetEvent',
      { eventTime: time, dataset: orders },
      { kind: 'dataset', eventType: null, runId: null, jobId: null, datasetId: ordersId },
    ],
    ['a JobEvent', { eventTime: time, job }, { kind: 'job', eventType: null, runId: null, jobId, datasetId: null }],
    ['a producer and schemaURL that are not strings', runEvent({ producer: 5, schemaURL: {} }), { producer: null, schemaUrl: null }],
  ])('%s', (_, event, expected) => {
    const { plan: p } = plan(event);
    expect(p.event).toMatchObject({ id: 'event-1', eventTime: stored, raw: JSON.stringify(event), warnings: null, ...expected });
  });
});

describe('planEvent: a DatasetEvent', () => {
  const event = {
    eventTime: time,
    dataset: {
      ...orders,
      facets: {
        dataSource: { name: 'warehouse', uri: 'postgres://db:5432' },
        schema: { fields: [{ name: 'id' }, { name: 'address', fields: [{ name: 'city' }] }] },
        symlinks: { identifiers: [{ namespace: 'hive', name: 'db.orders', type: 'TABLE' }] },
      },
    },
  };
  const { plan: p, warnings } = plan(event);

  it('is the dataset, its source, its fields and its other names, with no job or run', () => {
    expect(p.datasets.map((d) => d.name)).toEqual(['public.orders', 'db.orders']);
    expect(p.namespaces.map((n) => n.name)).toEqual([orders.namespace, 'hive']);
    expect(p.sources.map((s) => s.name)).toEqual(['warehouse']);
    expect(p.datasetFields.map((f) => f.name)).toEqual(['id', 'address', 'address.city']);
    expect(p.datasetSymlinks).toEqual([expect.objectContaining({ datasetId: ordersId, targetId: ids.dataset('hive', 'db.orders') })]);
    expect([p.jobs, p.runs, p.jobIo, p.runIo, p.datasetVersions, p.versionRuns]).toEqual([[], [], [], [], [], []]);
    expect(warnings).toEqual([]);
  });

  it('keeps its facets as the dataset’s own', () => {
    expect(p.facets.map((f) => [f.ownerKind, f.ownerId, f.runId, f.name])).toEqual(
      ['dataSource', 'schema', 'symlinks'].map((name) => ['dataset', ordersId, null, name]),
    );
  });
});

describe('planEvent: a JobEvent', () => {
  const sql = { query: 'insert into orders_daily select …' };
  const event = {
    eventTime: time,
    job: { ...job, facets: { sql } },
    inputs: [{ ...orders, facets: { schema: { fields: [{ name: 'id' }] } } }, { name: 'no namespace' }],
    outputs: [daily],
  };
  const { plan: p, warnings } = plan(event);

  it('declares a version of the job, its code and IO, current from now', () => {
    const [version] = p.jobVersions;
    expect(version).toMatchObject({ jobId, declared: true });
    expect(p.jobVersionIo).toEqual([
      { jobVersionId: version!.id, datasetId: ordersId, direction: 'in' },
      { jobVersionId: version!.id, datasetId: dailyId, direction: 'out' },
    ]);
    expect(p.jobs).toEqual([expect.objectContaining({ id: jobId, currentVersionId: version!.id, currentVersionTime: stored })]);
    const withoutCode = plan({ ...event, job }).plan.jobVersions[0]!;
    expect(withoutCode.version).not.toBe(version!.version);
    expect(codeHash({ sql })).not.toBeNull();
  });

  it('has the job’s edges with no run, and no run rows', () => {
    expect(p.jobIo.map((e) => [e.direction, e.datasetId, e.lastRunId])).toEqual([
      ['in', ordersId, null],
      ['out', dailyId, null],
    ]);
    expect([p.runs, p.runIo, p.datasetVersions, p.versionRuns]).toEqual([[], [], [], []]);
    expect(p.datasetFields.map((f) => f.name)).toEqual(['id']);
  });

  it('leaves out a dataset it cannot name, with a warning', () => {
    expect(warnings).toEqual([{ pointer: '/inputs/1', message: 'dataset without a namespace and name; ignored' }]);
  });
});

describe('planEvent: a RunEvent', () => {
  const sourceCodeLocation = { type: 'git', url: 'https://github.com/acme/etl', version: 'a1b2c3d' };
  const event = runEvent({
    run: { runId, facets: { nominalTime: { nominalStartTime: time } } },
    job: { ...job, facets: { sourceCodeLocation } },
    inputs: [{ ...orders, facets: { version: { datasetVersion: '2.1' } }, inputFacets: { dataQualityMetrics: { rowCount: 3 } } }],
    outputs: [
      {
        ...daily,
        facets: {
          version: { datasetVersion: 42 },
          columnLineage: {
            fields: { total: { inputFields: [{ namespace: 'postgres://db:5432', name: 'public.payments', field: 'amount' }] } },
          },
        },
        outputFacets: { outputStatistics: { rowCount: 365 } },
      },
    ],
  });
  const { plan: p, warnings } = plan(event);
  const inEdge = ids.runIo(runId, 'in', ordersId);
  const outEdge = ids.runIo(runId, 'out', dailyId);
  const outVersion = ids.datasetVersion(dailyId, runId);

  it('is the run, in its state, with its code, and marked for its job version', () => {
    expect(p.runs).toEqual([
      expect.objectContaining({
        id: runId,
        jobId,
        state: 'COMPLETE',
        endedAt: stored,
        parentRunId: null,
        codeHash: codeHash({ sourceCodeLocation }),
      }),
    ]);
    expect(p.versionRuns).toEqual([{ runId, runJobId: ids.runJob(runId) }]);
    expect(warnings).toEqual([]);
  });

  it('keeps the job’s facets as the job’s and as this run saw them', () => {
    expect(facetOwners(p, 'sourceCodeLocation')).toEqual([
      ['job', jobId, runId],
      ['run_job', ids.runJob(runId), runId],
    ]);
    expect(facetOwners(p, 'nominalTime')).toEqual([['run', runId, runId]]);
  });

  it('reads an input at the version its facet names', () => {
    expect(p.runIo[0]).toMatchObject({ id: inEdge, direction: 'in', version: '2.1', datasetVersionId: null });
    expect(facetOwners(p, 'version').slice(0, 2)).toEqual([
      ['dataset', ordersId, null],
      ['input_dataset', ids.inputDataset(inEdge), runId],
    ]);
    expect(facetOwners(p, 'dataQualityMetrics')).toEqual([['input', inEdge, runId]]);
  });

  it('writes a version of each output, modified now, with its column lineage', () => {
    expect(p.datasetVersions).toEqual([
      expect.objectContaining({ id: outVersion, datasetId: dailyId, version: '42', versionExplicit: true }),
    ]);
    expect(p.runIo[1]).toMatchObject({ id: outEdge, direction: 'out', version: '42', datasetVersionId: outVersion });
    expect(p.datasets.map((d) => [d.name, d.lastModifiedAt])).toEqual([
      ['public.orders', null],
      ['/marts/orders_daily', stored],
      ['public.payments', null],
    ]);
    expect(p.columnLineage).toEqual([
      expect.objectContaining({ outputDatasetId: dailyId, outputField: 'total', inputField: 'amount', outputVersionId: outVersion, runId }),
    ]);
    expect(facetOwners(p, 'outputStatistics')).toEqual([['output', outEdge, runId]]);
    expect(facetOwners(p, 'columnLineage')).toEqual([
      ['dataset', dailyId, null],
      ['dataset_version', outVersion, runId],
    ]);
  });

  it('has the job’s edges, last used by this run', () => {
    expect(p.jobIo.map((e) => [e.direction, e.datasetId, e.lastRunId])).toEqual([
      ['in', ordersId, runId],
      ['out', dailyId, runId],
    ]);
  });
});

describe('planEvent: a RunEvent’s parent', () => {
  const parentJob = { namespace: 'airflow', name: 'dag' };
  const withParent = (parent: unknown) => plan(runEvent({ run: { runId, facets: { parent } } }));

  it('records the hierarchy: the parent job and run, the child’s links to them', () => {
    const { plan: p, warnings } = withParent({ run: { runId: parentRunId.toUpperCase() }, job: parentJob });
    const parentJobId = ids.job(parentJob.namespace, parentJob.name);
    expect(p.jobs.map((j) => [j.id, j.parentJobId])).toEqual([
      [jobId, parentJobId],
      [parentJobId, null],
    ]);
    expect(p.runs.map((r) => [r.id, r.jobId, r.parentRunId])).toEqual([
      [runId, jobId, parentRunId],
      [parentRunId, parentJobId, null],
    ]);
    expect(p.runs[0]).toMatchObject({ parentTime: stored, parentEventId: 'event-1' });
    expect(warnings).toEqual([]);
  });

  it('does not make a job its own parent job (a run of the same job: a retry)', () => {
    const { plan: p } = withParent({ run: { runId: parentRunId }, job });
    expect(p.jobs.map((j) => j.parentJobId)).toEqual([null, null]);
    expect(p.runs[0]!.parentRunId).toBe(parentRunId);
  });

  it.each([
    ['the run itself', { run: { runId }, job: parentJob }],
    ['a run id that is not a UUID', { run: { runId: 'manual__2024' }, job: parentJob }],
    ['no job', { run: { runId: parentRunId } }],
  ])('warns and records nothing for a parent that is %s', (_, parent) => {
    const { plan: p, warnings } = withParent(parent);
    expect(p.runs.map((r) => r.parentRunId)).toEqual([null]);
    expect(p.jobs).toHaveLength(1);
    expect(warnings).toEqual([
      { pointer: '/run/facets/parent', message: 'parent facet without a valid run.runId and job namespace/name; hierarchy not recorded' },
    ]);
  });

  it('ignores a parent facet that is not an object (the validator warns of it)', () => {
    expect(withParent('dag/run').warnings).toEqual([]);
  });
});

describe('planEvent: what a producer sends wrong', () => {
  const longKey = 'x'.repeat(256);

  it('warns in the order of the event, and keeps everything it can', () => {
    const { plan: p, warnings } = plan(
      runEvent({
        run: { runId, facets: { [longKey]: {}, parent: { job } } },
        job: { ...job, facets: { [longKey]: {} } },
        inputs: [{ namespace: 'db' }, { ...orders, facets: { [longKey]: 1 }, inputFacets: { [longKey]: 1 } }],
        outputs: [null, { ...daily, outputFacets: { [longKey]: 1 } }],
      }),
    );
    expect(warnings.map((w) => w.pointer)).toEqual([
      `/job/facets/${longKey}`,
      '/inputs/0',
      '/outputs/0',
      `/run/facets/${longKey}`,
      `/job/facets/${longKey}`,
      '/run/facets/parent',
      `/inputs/1/facets/${longKey}`,
      `/inputs/1/facets/${longKey}`,
      `/inputs/1/inputFacets/${longKey}`,
      `/outputs/1/outputFacets/${longKey}`,
    ]);
    expect(p.runIo.map((e) => e.datasetId)).toEqual([ordersId, dailyId]);
    expect(p.facets.map((f) => f.name)).toEqual(['parent']);
  });

  it.each([
    [
      'facets that are lists',
      runEvent({ run: { runId, facets: [1] }, job: { ...job, facets: [2] }, inputs: [{ ...orders, facets: [3] }] }),
    ],
    [
      'facets that are strings',
      runEvent({ run: { runId, facets: 'x' }, job: { ...job, facets: 'y' }, outputs: [{ ...daily, facets: 'z' }] }),
    ],
    ['inputs and outputs that are not lists', runEvent({ inputs: { ...orders }, outputs: 'x' })],
  ])('plans a run whose %s, without facet rows', (_, event) => {
    const { plan: p, warnings } = plan(event);
    expect(p.runs).toHaveLength(1);
    expect(p.facets).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('keeps long names whole: rows are keyed by hashes', () => {
    const long = { namespace: 'n'.repeat(3000), name: 'm'.repeat(5000) };
    const { plan: p } = plan(runEvent({ outputs: [long] }));
    expect(p.datasets[0]).toMatchObject({ id: ids.dataset(long.namespace, long.name), namespace: long.namespace, name: long.name });
    expect(p.datasetVersions[0]!.version).toBe(runId);
  });
});
