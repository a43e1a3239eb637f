import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { fieldRows, flattenFields } from '../../src/ingest/plan/schema-fields';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');

/** `levels` fields nested one in the other: n1 > n2 > … */
const chain = (levels: number): unknown => {
  let field: Record<string, unknown> = { name: `n${levels}` };
  for (let i = levels - 1; i >= 1; i--) field = { name: `n${i}`, fields: [field] };
  return field;
};

describe('flattenFields', () => {
  it.each([
    ['flat fields', [{ name: 'id' }, { name: 'amount', type: 'decimal' }], ['id', 'amount']],
    [
      'nested fields, as dotted paths after their parent',
      [{ name: 'address', fields: [{ name: 'city' }, { name: 'geo', fields: [{ name: 'lat' }] }] }, { name: 'id' }],
      ['address', 'address.city', 'address.geo', 'address.geo.lat', 'id'],
    ],
    [
      'fields without a string name (skipped, with their children)',
      [{ type: 'int' }, { name: 5, fields: [{ name: 'x' }] }, null, 'id', []],
      [],
    ],
    ['names with dots or spaces, kept as sent', [{ name: 'a.b', fields: [{ name: 'c d' }] }], ['a.b', 'a.b.c d']],
    ['an empty name', [{ name: '' }], ['']],
    ['children that are not a list (ignored)', [{ name: 'a', fields: { name: 'b' } }], ['a']],
  ])('%s', (_, fields, paths) => {
    expect(flattenFields(fields).map((f) => f.path)).toEqual(paths);
  });

  it('names each field’s parent', () => {
    expect(flattenFields([{ name: 'a', fields: [{ name: 'b', fields: [{ name: 'c' }] }] }])).toEqual([
      { path: 'a', parent: null },
      { path: 'a.b', parent: 'a' },
      { path: 'a.b.c', parent: 'a.b' },
    ]);
  });

  it('stops 65 levels down: a hostile schema cannot recurse without end', () => {
    expect(flattenFields([chain(65)])).toHaveLength(65);
    expect(flattenFields([chain(100)])).toHaveLength(65);
  });

  it('keeps long names whole (their ids are hashes)', () => {
    const long = 'f'.repeat(10_000);
    expect(flattenFields([{ name: long, fields: [{ name: long }] }]).map((f) => f.path.length)).toEqual([10_000, 20_001]);
  });
});

describe('fieldRows', () => {
  it('is one row per field of the schema facet, keyed by dataset and path', () => {
    const schema = { _producer: 'p', fields: [{ name: 'a', fields: [{ name: 'b' }] }] };
    expect(fieldRows('dataset-1', schema, stamp)).toEqual([
      { id: ids.datasetField('dataset-1', 'a'), datasetId: 'dataset-1', name: 'a', parentName: null, ...stamp.span },
      { id: ids.datasetField('dataset-1', 'a.b'), datasetId: 'dataset-1', name: 'a.b', parentName: 'a', ...stamp.span },
    ]);
  });

  it.each([
    ['absent', undefined],
    ['not an object', 'schema'],
    ['an array', [{ name: 'a' }]],
    ['without fields', { _producer: 'p' }],
    ['with fields that are not a list', { fields: { a: { name: 'a' } } }],
  ])('has no rows when the schema facet is %s', (_, schema) => {
    expect(fieldRows('dataset-1', schema, stamp)).toEqual([]);
  });
});
