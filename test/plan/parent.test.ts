import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { parentOf, parentRunRow } from '../../src/ingest/plan/parent';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const child = '0195a8e0-0000-7000-8000-000000000001';
const parentRun = '0195a8e0-0000-7000-8000-0000000000aa';
const job = { namespace: 'airflow', name: 'dag.task' };

describe('parentOf', () => {
  it.each([
    ['a run and a job', { run: { runId: parentRun }, job }, { runId: parentRun, job }],
    ['an upper-case run id (stored lower-case)', { run: { runId: parentRun.toUpperCase() }, job }, { runId: parentRun, job }],
    [
      'the child’s own job (a retry)',
      { run: { runId: parentRun }, job: { namespace: 'ns', name: 'self' } },
      { runId: parentRun, job: { namespace: 'ns', name: 'self' } },
    ],
    [
      'extra fields (root, facet metadata)',
      { _producer: 'p', run: { runId: parentRun, x: 1 }, job: { ...job, y: 2 }, root: {} },
      { runId: parentRun, job },
    ],
  ])('names the parent given %s', (_, facet, expected) => {
    expect(parentOf(facet, child)).toEqual(expected);
  });

  it.each([
    ['the child itself (a cycle of one)', { run: { runId: child }, job }],
    ['the child itself, in upper case', { run: { runId: child.toUpperCase() }, job }],
    ['a run id that is not a UUID', { run: { runId: 'scheduled__2024-05-01' }, job }],
    ['a run id that is not a string', { run: { runId: 42 }, job }],
    ['a run that is a string', { run: parentRun, job }],
    ['no run', { job }],
    ['no job', { run: { runId: parentRun } }],
    ['a job without a name', { run: { runId: parentRun }, job: { namespace: 'airflow' } }],
    ['a job with an empty namespace', { run: { runId: parentRun }, job: { namespace: '', name: 'x' } }],
    ['a job that is a string', { run: { runId: parentRun }, job: 'airflow/dag.task' }],
    ['not an object', 'parent'],
  ])('is null given %s', (_, facet) => {
    expect(parentOf(facet, child)).toBeNull();
  });
});

describe('parentRunRow', () => {
  it('is the parent run with its job, and nothing of its state', () => {
    expect(parentRunRow({ runId: parentRun, job }, stamp)).toEqual({
      id: parentRun,
      jobId: ids.job(job.namespace, job.name),
      namespace: job.namespace,
      jobName: job.name,
      parentRunId: null,
      ...stamp.span,
    });
  });
});
