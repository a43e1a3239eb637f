import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { type FacetOwner, facetRows, facetValues, MAX_FACET_KEY } from '../../src/ingest/plan/facets';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const owner: FacetOwner = { id: 'owner-1', kind: 'run', runId: 'run-1', at: '/run/facets' };

describe('facetRows', () => {
  it('keeps one row per facet, known or not, referencing its value as JSON, kept once', () => {
    const facets = { nominalTime: { nominalStartTime: '2024-05-01T10:00:00Z' }, custom_thing: [1, 'two'], flag: true };
    const values = facetValues();
    const { rows, warnings } = facetRows(owner, facets, stamp, values);
    expect(warnings).toEqual([]);
    expect(rows).toEqual(
      Object.entries(facets).map(([name, value]) => ({
        ownerId: 'owner-1',
        name,
        ownerKind: 'run',
        valueId: ids.facetValue(name, JSON.stringify(value)),
        runId: 'run-1',
        eventTime: stamp.time,
        eventId: 'event-1',
      })),
    );
    expect(values.rows).toEqual(
      Object.entries(facets).map(([name, value]) => ({
        id: ids.facetValue(name, JSON.stringify(value)),
        name,
        value: JSON.stringify(value),
      })),
    );
  });

  it.each([
    ['null', null],
    ['an array', [{ a: 1 }]],
    ['a string', 'facets'],
    ['a number', 3],
    ['absent', undefined],
  ])('has nothing when the facets are %s', (_, facets) => {
    expect(facetRows(owner, facets, stamp)).toEqual({ rows: [], warnings: [] });
  });

  it.each([
    ['null', null, 'null'],
    ['a string', 'text', '"text"'],
    ['an empty object', {}, '{}'],
  ])('stores a facet that is %s as JSON', (_, facet, value) => {
    const values = facetValues();
    const row = facetRows(owner, { f: facet }, stamp, values).rows[0]!;
    expect(values.rows).toEqual([{ id: row.valueId, name: 'f', value }]);
  });

  it('leaves out keys longer than the index can hold, with a warning at their escaped pointer', () => {
    const fits = 'k'.repeat(MAX_FACET_KEY);
    const tooLong = `a/b~${'k'.repeat(MAX_FACET_KEY)}`;
    const { rows, warnings } = facetRows({ ...owner, at: '/inputs/3/inputFacets' }, { [fits]: 1, [tooLong]: 2 }, stamp);
    expect(rows.map((r) => r.name)).toEqual([fits]);
    expect(warnings).toEqual([
      {
        pointer: `/inputs/3/inputFacets/a~1b~0${'k'.repeat(MAX_FACET_KEY)}`,
        message: `facet key longer than ${MAX_FACET_KEY} characters; kept in the raw event only`,
      },
    ]);
  });

  it('carries the owner: a dataset’s own facets have no run', () => {
    const rows = facetRows({ id: 'd', kind: 'dataset', runId: null, at: '/dataset/facets' }, { schema: {} }, stamp).rows;
    expect(rows).toEqual([expect.objectContaining({ ownerId: 'd', ownerKind: 'dataset', runId: null })]);
  });
});

describe('facetValues', () => {
  it('serializes a facet object once, however many owners store it', () => {
    const values = facetValues();
    const facet = { fields: [{ name: 'a' }] };
    const first = values.idOf('schema', facet);
    facet.fields.push({ name: 'b' });
    // The same object gives the same content: the second owner does not pay for it again.
    expect(values.idOf('schema', facet)).toBe(first);
    expect(values.rows).toEqual([{ id: first, name: 'schema', value: '{"fields":[{"name":"a"}]}' }]);
  });

  it('keeps one content per name: the same JSON under another name is another value', () => {
    const values = facetValues();
    expect(values.idOf('a', { x: 1 })).toBe(values.idOf('a', { x: 1 }));
    expect(values.idOf('b', { x: 1 })).not.toBe(values.idOf('a', { x: 1 }));
    expect(values.rows.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('is shared by the owners of one event: a dataset and its version reference one value', () => {
    const values = facetValues();
    const facets = { schema: { fields: [] } };
    const asDataset = facetRows({ ...owner, kind: 'dataset' }, facets, stamp, values).rows[0]!.valueId;
    facets.schema.fields.push({ name: 'late' } as never);
    const asVersion = facetRows({ ...owner, kind: 'dataset_version' }, facets, stamp, values).rows[0]!.valueId;
    expect(asVersion).toBe(asDataset);
    expect(values.rows).toHaveLength(1);
  });
});
