import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { sourceRow } from '../../src/ingest/plan/data-source';
import { stampOf } from '../../src/ingest/plan/event-plan';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');

describe('sourceRow', () => {
  it.each([
    ['a name and a URI', { name: 'warehouse', uri: 'postgres://db:5432' }, 'warehouse', 'postgres://db:5432'],
    ['no URI', { name: 'warehouse' }, 'warehouse', null],
    ['a URI that is not a string', { name: 'warehouse', uri: 5432 }, 'warehouse', null],
    ['a very long name', { name: 'n'.repeat(5000), uri: 'x' }, 'n'.repeat(5000), 'x'],
  ])('is a source for a facet with %s', (_, facet, name, connectionUrl) => {
    expect(sourceRow(facet, stamp)).toEqual({ id: ids.source(name), name, connectionUrl, ...stamp.span, ...stamp.latest });
  });

  it.each([
    ['absent', undefined],
    ['a string', 'postgres://db'],
    ['an array', [{ name: 'warehouse' }]],
    ['without a name', { uri: 'postgres://db' }],
    ['with an empty name', { name: '', uri: 'postgres://db' }],
    ['with a name that is not a string', { name: 7 }],
  ])('is nothing for a facet that is %s: a source is known by its name', (_, facet) => {
    expect(sourceRow(facet, stamp)).toBeNull();
  });
});
