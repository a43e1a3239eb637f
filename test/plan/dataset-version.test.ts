import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { datasetVersionRow, explicitVersion } from '../../src/ingest/plan/dataset-version';
import { stampOf } from '../../src/ingest/plan/event-plan';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const runId = '0195a8e0-0000-7000-8000-000000000001';

describe('explicitVersion', () => {
  it.each([
    ['a string', { datasetVersion: 'v2.1' }, 'v2.1'],
    ['a number (against the spec, as some producers send it)', { datasetVersion: 12 }, '12'],
    ['zero', { datasetVersion: 0 }, '0'],
    ['a fraction', { datasetVersion: 1.5 }, '1.5'],
    ['an empty string', { datasetVersion: '' }, null],
    ['an object', { datasetVersion: { snapshot: 1 } }, null],
    ['null', { datasetVersion: null }, null],
    ['a boolean', { datasetVersion: true }, null],
    ['absent', { _producer: 'p' }, null],
  ])('reads a datasetVersion that is %s', (_, facet, expected) => {
    expect(explicitVersion(facet)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['a string', '12'],
    ['an array', [{ datasetVersion: '1' }]],
  ])('is null when the facet is %s', (_, facet) => {
    expect(explicitVersion(facet)).toBeNull();
  });
});

describe('datasetVersionRow', () => {
  it('is named by the version facet when sent', () => {
    expect(datasetVersionRow('dataset-1', runId, '42', stamp)).toEqual({
      id: ids.datasetVersion('dataset-1', runId),
      datasetId: 'dataset-1',
      runId,
      version: '42',
      versionKey: ids.versionKey('dataset-1', '42'),
      ...stamp.span,
      versionExplicit: true,
      ...stamp.latest,
    });
  });

  it('is named by the run otherwise, and says so (an explicit version sent later replaces it)', () => {
    const row = datasetVersionRow('dataset-1', runId, null, stamp);
    expect(row).toMatchObject({ version: runId, versionKey: ids.versionKey('dataset-1', runId), versionExplicit: false });
    // One version per dataset and run, whatever it is named.
    expect(row.id).toBe(datasetVersionRow('dataset-1', runId, '42', stamp).id);
  });
});
