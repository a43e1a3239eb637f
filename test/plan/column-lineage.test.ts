import { describe, expect, it } from 'vitest';
import { ids } from '../../src/ids';
import { columnLineageRows } from '../../src/ingest/plan/column-lineage';
import { stampOf } from '../../src/ingest/plan/event-plan';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const output = { datasetId: 'out-1', versionId: 'version-1', runId: 'run-1' };
const orders = { namespace: 'postgres://db', name: 'public.orders' };
const ordersId = ids.dataset(orders.namespace, orders.name);

const edges = (facet: unknown) =>
  columnLineageRows(output, facet, stamp).map(({ input, row }) => ({
    input: `${input.namespace}/${input.name}`,
    outputField: row.outputField,
    inputField: row.inputField,
    transformations: row.transformations === null ? null : JSON.parse(row.transformations!),
  }));

describe('columnLineageRows', () => {
  it('makes one row per input of each output field, keyed by both ends', () => {
    const facet = {
      fields: { total: { inputFields: [{ ...orders, field: 'amount', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] }] } },
    };
    expect(columnLineageRows(output, facet, stamp)).toEqual([
      {
        input: orders,
        row: {
          id: ids.columnEdge('out-1', 'total', ordersId, 'amount'),
          outputDatasetId: 'out-1',
          outputField: 'total',
          inputDatasetId: ordersId,
          inputField: 'amount',
          transformations: '[{"type":"DIRECT","subtype":"AGGREGATION"}]',
          runId: 'run-1',
          outputVersionId: 'version-1',
          ...stamp.span,
          ...stamp.latest,
        },
      },
    ]);
  });

  it.each([
    [
      'dataset-level inputs (every column depends on them): no output field',
      { dataset: [{ ...orders, field: 'status', transformations: [{ type: 'INDIRECT', subtype: 'FILTER' }] }] },
      [
        {
          input: 'postgres://db/public.orders',
          outputField: null,
          inputField: 'status',
          transformations: [{ type: 'INDIRECT', subtype: 'FILTER' }],
        },
      ],
    ],
    [
      'field-level edges before dataset-level ones',
      { dataset: [{ ...orders }], fields: { a: { inputFields: [{ ...orders, field: 'x' }] } } },
      [
        { input: 'postgres://db/public.orders', outputField: 'a', inputField: 'x', transformations: null },
        { input: 'postgres://db/public.orders', outputField: null, inputField: null, transformations: null },
      ],
    ],
    [
      'the deprecated field-level transformation type, as the one transformation of each input',
      { fields: { a: { inputFields: [{ ...orders, field: 'x' }], transformationType: 'IDENTITY' } } },
      [
        {
          input: 'postgres://db/public.orders',
          outputField: 'a',
          inputField: 'x',
          transformations: [{ type: 'IDENTITY', description: null }],
        },
      ],
    ],
    [
      'the deprecated field-level description alone',
      { fields: { a: { inputFields: [{ ...orders, field: 'x' }], transformationDescription: 'a + 1' } } },
      [
        {
          input: 'postgres://db/public.orders',
          outputField: 'a',
          inputField: 'x',
          transformations: [{ type: null, description: 'a + 1' }],
        },
      ],
    ],
    [
      'empty deprecated transformation fields (nothing said)',
      { fields: { a: { inputFields: [{ ...orders, field: 'x' }], transformationType: '', transformationDescription: '' } } },
      [{ input: 'postgres://db/public.orders', outputField: 'a', inputField: 'x', transformations: null }],
    ],
    [
      'per-input transformations, which win over the deprecated field-level ones',
      {
        fields: { a: { inputFields: [{ ...orders, field: 'x', transformations: [{ type: 'DIRECT' }] }], transformationType: 'IDENTITY' } },
      },
      [{ input: 'postgres://db/public.orders', outputField: 'a', inputField: 'x', transformations: [{ type: 'DIRECT' }] }],
    ],
    [
      'an input field that is not a string (the dataset is still an input)',
      { fields: { a: { inputFields: [{ ...orders, field: 3 }] } } },
      [{ input: 'postgres://db/public.orders', outputField: 'a', inputField: null, transformations: null }],
    ],
    [
      'inputs without a namespace and name (skipped)',
      {
        fields: {
          a: { inputFields: [{ name: 'x', field: 'f' }, 'orders.amount', null, { ...orders, namespace: '' }, { ...orders, field: 'ok' }] },
        },
      },
      [{ input: 'postgres://db/public.orders', outputField: 'a', inputField: 'ok', transformations: null }],
    ],
    [
      'output fields whose inputs are not a list (skipped)',
      { fields: { a: { inputFields: { ...orders } }, b: 'x', c: null, d: { ...orders } } },
      [],
    ],
    ['fields that are a list, dataset an object (both skipped)', { fields: [{ inputFields: [orders] }], dataset: { ...orders } }, []],
  ])('reads %s', (_, facet, expected) => {
    expect(edges(facet)).toEqual(expected);
  });

  it.each([
    ['absent', undefined],
    ['a string', 'x'],
    ['an array', [{ fields: {} }]],
    ['empty', {}],
  ])('has nothing when the facet is %s', (_, facet) => {
    expect(columnLineageRows(output, facet, stamp)).toEqual([]);
  });
});
