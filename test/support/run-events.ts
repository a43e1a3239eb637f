import { randomUUID } from 'node:crypto';

const producer = 'https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark';
const runFacet = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

export interface RunStory {
  runId: string;
  events: Record<string, unknown>[];
}

/**
 * One run told in five events as real producers send them: inputs on START, a RUNNING update, outputs
 * (with schema, version and column lineage) on COMPLETE, and OTHER metadata after completion.
 */
export function runStory(options: { runId?: string; job?: string; input?: string; output?: string } = {}): RunStory {
  const runId = options.runId ?? randomUUID();
  const job = { namespace: 'spark://cluster', name: options.job ?? 'etl.orders_daily' };
  const input = { namespace: 'postgres://db:5432', name: options.input ?? 'public.orders' };
  const output = { namespace: 's3://warehouse', name: options.output ?? '/marts/orders_daily' };
  const base = (eventType: string, eventTime: string) => ({
    eventType,
    eventTime,
    producer,
    schemaURL: runFacet,
    run: { runId, facets: {} as Record<string, unknown> },
    job: { ...job, facets: {} as Record<string, unknown> },
    inputs: [] as unknown[],
    outputs: [] as unknown[],
  });
  const schemaFacet = (fields: [string, string][]) => ({
    _producer: producer,
    _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
    fields: fields.map(([name, type]) => ({ name, type })),
  });
  const start = base('START', '2024-05-01T10:00:00.000Z');
  start.run.facets.nominalTime = {
    _producer: producer,
    _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
    nominalStartTime: '2024-05-01T10:00:00Z',
  };
  start.job.facets.sql = {
    _producer: producer,
    _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet',
    query: 'insert into orders_daily select day, sum(amount) from orders group by day',
  };
  start.inputs = [
    {
      ...input,
      facets: {
        schema: schemaFacet([
          ['id', 'int'],
          ['day', 'date'],
          ['amount', 'decimal'],
        ]),
      },
    },
  ];

  const running = base('RUNNING', '2024-05-01T10:00:30.000Z');
  running.inputs = [{ ...input }];

  const complete = base('COMPLETE', '2024-05-01T10:01:00.000Z');
  complete.inputs = [{ ...input }];
  complete.outputs = [
    {
      ...output,
      facets: {
        schema: schemaFacet([
          ['day', 'date'],
          ['total', 'decimal'],
        ]),
        version: {
          _producer: producer,
          _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
          datasetVersion: '42',
        },
        columnLineage: {
          _producer: producer,
          _schemaURL: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
          fields: {
            day: { inputFields: [{ ...input, field: 'day', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] }] },
            total: { inputFields: [{ ...input, field: 'amount', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] }] },
          },
        },
      },
      outputFacets: {
        outputStatistics: {
          _producer: producer,
          _schemaURL:
            'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
          rowCount: 365,
        },
      },
    },
  ];

  const other = base('OTHER', '2024-05-01T10:05:00.000Z');
  other.run.facets.processing_engine = {
    _producer: producer,
    _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
    version: '3.5.1',
    name: 'spark',
  };
  return { runId, events: [start, running, complete, other] };
}

/** All orderings of a list (n! of them). */
export function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((item, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [item, ...rest]));
}
