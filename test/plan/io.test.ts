import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { ioDatasets, jobIoRow, runIoRow } from '../../src/ingest/plan/io';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const runId = '0195a8e0-0000-7000-8000-000000000001';

describe('ioDatasets', () => {
  it('lists the inputs, then the outputs, each with its pointer', () => {
    const a = { namespace: 'db', name: 'a', facets: { schema: {} } };
    const b = { namespace: 'db', name: 'b', inputFacets: {} };
    const c = { namespace: 's3://x', name: '/c', outputFacets: {} };
    expect(ioDatasets({ outputs: [c], inputs: [a, b] })).toEqual({
      io: [
        { direction: 'in', dataset: { namespace: 'db', name: 'a' }, item: a, at: '/inputs/0' },
        { direction: 'in', dataset: { namespace: 'db', name: 'b' }, item: b, at: '/inputs/1' },
        { direction: 'out', dataset: { namespace: 's3://x', name: '/c' }, item: c, at: '/outputs/0' },
      ],
      warnings: [],
    });
  });

  it.each([
    ['null', null],
    ['a string', 'db.a'],
    ['a list', [{ namespace: 'db', name: 'a' }]],
    ['without a namespace', { name: 'a' }],
    ['with an empty name', { namespace: 'db', name: '' }],
    ['with a name that is not a string', { namespace: 'db', name: 5 }],
  ])('leaves out a dataset that is %s, with a warning, and keeps the others', (_, bad) => {
    const { io, warnings } = ioDatasets({ inputs: [{ namespace: 'db', name: 'a' }, bad], outputs: [bad] });
    expect(io.map((d) => d.at)).toEqual(['/inputs/0']);
    expect(warnings).toEqual([
      { pointer: '/inputs/1', message: 'dataset without a namespace and name; ignored' },
      { pointer: '/outputs/0', message: 'dataset without a namespace and name; ignored' },
    ]);
  });

  it.each([
    ['absent', {}],
    ['objects', { inputs: { namespace: 'db', name: 'a' }, outputs: { namespace: 'db', name: 'b' } }],
    ['strings', { inputs: 'db.a', outputs: 'db.b' }],
  ])('has nothing when inputs and outputs are %s', (_, event) => {
    expect(ioDatasets(event)).toEqual({ io: [], warnings: [] });
  });

  it('keeps a dataset read and written by the same event twice, once per direction', () => {
    const d = { namespace: 'db', name: 'a' };
    expect(ioDatasets({ inputs: [d], outputs: [d] }).io.map((x) => x.direction)).toEqual(['in', 'out']);
  });
});

describe('jobIoRow', () => {
  it.each([
    ['a run', runId],
    ['a declared JobEvent (no run)', null],
  ])('is the job’s edge, last used by %s', (_, lastRunId) => {
    expect(jobIoRow('job-1', 'in', 'dataset-1', lastRunId, stamp)).toEqual({
      id: ids.jobIo('job-1', 'in', 'dataset-1'),
      jobId: 'job-1',
      datasetId: 'dataset-1',
      direction: 'in',
      ...stamp.span,
      lastRunId,
      ...stamp.latest,
    });
  });

  it('is one edge per direction', () => {
    expect(jobIoRow('job-1', 'in', 'd', null, stamp).id).not.toBe(jobIoRow('job-1', 'out', 'd', null, stamp).id);
  });
});

describe('runIoRow', () => {
  it('points an input at the version its facet names', () => {
    expect(runIoRow(runId, 'in', 'dataset-1', '2.1', null, stamp)).toEqual({
      id: ids.runIo(runId, 'in', 'dataset-1'),
      runId,
      datasetId: 'dataset-1',
      direction: 'in',
      version: '2.1',
      versionKey: ids.versionKey('dataset-1', '2.1'),
      datasetVersionId: null,
      ...stamp.span,
      versionExplicit: true,
      ...stamp.latest,
    });
  });

  it('points an output at the version the run wrote, with no version key when none was sent', () => {
    expect(runIoRow(runId, 'out', 'dataset-1', null, 'version-1', stamp)).toMatchObject({
      id: ids.runIo(runId, 'out', 'dataset-1'),
      version: null,
      versionKey: null,
      datasetVersionId: 'version-1',
      versionExplicit: false,
    });
  });
});
