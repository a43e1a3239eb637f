import { describe, expect, it } from 'vitest';
import { ids, jobVersionOf } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { declaredJobVersion } from '../../src/ingest/plan/job-version';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const io = [
  { direction: 'in', datasetId: 'dataset-a' },
  { direction: 'out', datasetId: 'dataset-b' },
] as const;

describe('declaredJobVersion', () => {
  it('is the job’s code and declared IO, by the formula of runs’ versions', () => {
    const { version, io: rows } = declaredJobVersion('job-1', 'code-1', [...io], stamp);
    const expected = jobVersionOf('job-1', 'code-1', ['in:dataset-a', 'out:dataset-b']);
    expect(version).toEqual({ id: ids.jobVersion('job-1', expected), jobId: 'job-1', version: expected, declared: true, ...stamp.span });
    expect(rows).toEqual([
      { jobVersionId: version.id, datasetId: 'dataset-a', direction: 'in' },
      { jobVersionId: version.id, datasetId: 'dataset-b', direction: 'out' },
    ]);
  });

  it('does not depend on the order the IO was declared in', () => {
    const forward = declaredJobVersion('job-1', null, [...io], stamp).version.id;
    expect(declaredJobVersion('job-1', null, [...io].reverse(), stamp).version.id).toBe(forward);
  });

  it.each([
    ['other code', 'code-2', [...io]],
    ['no code', null, [...io]],
    ['an input fewer', 'code-1', [io[1]]],
    ['the same dataset in the other direction', 'code-1', [{ direction: 'out', datasetId: 'dataset-a' }, io[1]]],
  ] as const)('changes with %s', (_, code, declared) => {
    const base = declaredJobVersion('job-1', 'code-1', [...io], stamp).version.id;
    expect(declaredJobVersion('job-1', code, [...declared], stamp).version.id).not.toBe(base);
  });

  it('is a version even for a job that declares nothing', () => {
    const { version, io: rows } = declaredJobVersion('job-1', null, [], stamp);
    expect(version.version).toBe(jobVersionOf('job-1', null, []));
    expect(rows).toEqual([]);
  });
});
