import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { symlinkRows } from '../../src/ingest/plan/symlinks';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');

describe('symlinkRows', () => {
  it('links the dataset to each of its other names, in order', () => {
    const facet = {
      identifiers: [
        { namespace: 'hive://metastore', name: 'db.orders', type: 'TABLE' },
        { namespace: 's3://bucket', name: '/warehouse/orders', type: 'LOCATION' },
      ],
    };
    expect(symlinkRows('dataset-1', facet, stamp)).toEqual(
      facet.identifiers.map((t) => {
        const targetId = ids.dataset(t.namespace, t.name);
        return {
          target: { namespace: t.namespace, name: t.name },
          row: {
            id: ids.symlink('dataset-1', targetId),
            datasetId: 'dataset-1',
            targetId,
            targetNamespace: t.namespace,
            targetName: t.name,
            type: t.type,
            ...stamp.span,
          },
        };
      }),
    );
  });

  it.each([
    ['without a type', {}],
    ['with a type that is not a string', { type: 3 }],
  ])('keeps an identifier %s, with no type', (_, extra) => {
    const [link] = symlinkRows('dataset-1', { identifiers: [{ namespace: 'a', name: 'b', ...extra }] }, stamp);
    expect(link!.row.type).toBeNull();
    expect(link!.target).toEqual({ namespace: 'a', name: 'b' });
  });

  it.each([
    ['null', null],
    ['a string', 'hive://metastore/db.orders'],
    ['without a name', { namespace: 'a' }],
    ['with an empty namespace', { namespace: '', name: 'b' }],
    ['with a name that is not a string', { namespace: 'a', name: 1 }],
  ])('skips an identifier that is %s and keeps the others', (_, identifier) => {
    const links = symlinkRows('dataset-1', { identifiers: [identifier, { namespace: 'a', name: 'b' }] }, stamp);
    expect(links.map((l) => l.target)).toEqual([{ namespace: 'a', name: 'b' }]);
  });

  it.each([
    ['absent', undefined],
    ['not an object', 'x'],
    ['without identifiers', {}],
    ['with identifiers that are not a list', { identifiers: { namespace: 'a', name: 'b' } }],
  ])('has nothing when the facet is %s', (_, facet) => {
    expect(symlinkRows('dataset-1', facet, stamp)).toEqual([]);
  });
});
