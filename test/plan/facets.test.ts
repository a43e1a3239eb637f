import { describe, expect, it } from 'vitest';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { type FacetOwner, facetRows, MAX_FACET_KEY, memoizedSerializer } from '../../src/ingest/plan/facets';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const owner: FacetOwner = { id: 'owner-1', kind: 'run', runId: 'run-1', at: '/run/facets' };

describe('facetRows', () => {
  it('keeps one row per facet, known or not, its value as JSON', () => {
    const facets = { nominalTime: { nominalStartTime: '2024-05-01T10:00:00Z' }, custom_thing: [1, 'two'], flag: true };
    const { rows, warnings } = facetRows(owner, facets, stamp);
    expect(warnings).toEqual([]);
    expect(rows).toEqual(
      Object.entries(facets).map(([name, value]) => ({
        ownerId: 'owner-1',
        name,
        ownerKind: 'run',
        value: JSON.stringify(value),
        runId: 'run-1',
        eventTime: stamp.time,
        eventId: 'event-1',
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
    expect(facetRows(owner, { f: facet }, stamp).rows[0]!.value).toBe(value);
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

describe('memoizedSerializer', () => {
  it('serializes a facet object once, however many owners store it', () => {
    const serialize = memoizedSerializer();
    const facet = { fields: [{ name: 'a' }] };
    const first = serialize(facet);
    facet.fields.push({ name: 'b' });
    // The same object gives the same text: the second owner does not pay for it again.
    expect(serialize(facet)).toBe(first);
    expect(serialize({ fields: [{ name: 'a' }, { name: 'b' }] })).toBe('{"fields":[{"name":"a"},{"name":"b"}]}');
  });

  it('shares its texts between the owners of one event', () => {
    const serialize = memoizedSerializer();
    const facets = { schema: { fields: [] } };
    const asDataset = facetRows({ ...owner, kind: 'dataset' }, facets, stamp, serialize).rows[0]!.value;
    facets.schema.fields.push({ name: 'late' } as never);
    const asVersion = facetRows({ ...owner, kind: 'dataset_version' }, facets, stamp, serialize).rows[0]!.value;
    expect(asVersion).toBe(asDataset);
  });
});
