import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Deviation, type EventKind, MAX_DEVIATIONS, validateEventSchema } from '../src/spec/validate';

/** The shared corpus of real events: /work/shared/openlineage-events. */
const corpusDir = fileURLToPath(new URL('../../shared/openlineage-events', import.meta.url));
const generatedDir = fileURLToPath(new URL('../src/spec/generated', import.meta.url));

function corpusFiles(dir = corpusDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? corpusFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();
}
const corpus = (file: string) => JSON.parse(readFileSync(join(corpusDir, file), 'utf8')) as Record<string, unknown>;
const kindOf = (e: Record<string, unknown>): EventKind => ('run' in e ? 'run' : 'dataset' in e ? 'dataset' : 'job');
const pointers = (list: Deviation[]) => list.map((d) => d.pointer);
const under = (list: Deviation[], prefix: string) => list.filter((d) => d.pointer === prefix || d.pointer.startsWith(`${prefix}/`));

const PRODUCER = 'https://github.com/OpenLineage/OpenLineage/tree/1.0.0/client/python';
function runEvent(extra: Record<string, unknown> = {}) {
  return {
    eventType: 'COMPLETE',
    eventTime: '2024-05-01T10:00:00.000Z',
    producer: PRODUCER,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: '0190a0b4-7c2e-7cc4-9d5e-1f0e1e1e1e1e', facets: {} as Record<string, unknown> },
    job: { namespace: 'ns', name: 'job', facets: {} as Record<string, unknown> },
    inputs: [] as Record<string, unknown>[],
    outputs: [] as Record<string, unknown>[],
    ...extra,
  };
}
const facet = (schemaURL: string, body: Record<string, unknown> = {}) => ({ _producer: PRODUCER, _schemaURL: schemaURL, ...body });

describe('validateEventSchema on the shared corpus', () => {
  const files = corpusFiles();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
  });

  it.each(files.map((f) => relative(corpusDir, f)))('%s validates without throwing', (file) => {
    const event = corpus(file);
    const found = validateEventSchema(event, kindOf(event));
    expect(Array.isArray(found)).toBe(true);
    expect(found.length).toBeLessThanOrEqual(MAX_DEVIATIONS);
    for (const d of found) {
      expect(typeof d.message).toBe('string');
      expect(d.pointer === '' || d.pointer.startsWith('/')).toBe(true);
    }
    expect(new Set(found.map((d) => `${d.pointer} ${d.message}`)).size).toBe(found.length);
  });

  // The fluentd proxy's deliberately broken facets (all declare core 1-0-1).
  it('invalid output dataset facet: outputStatistics.rowCount is a string', () => {
    const found = validateEventSchema(corpus('proxy-fluentd/event_invalid_output_dataset_facet.json'), 'run');
    expect(found).toEqual([{ pointer: '/outputs/0/outputFacets/outputStatistics/rowCount', message: 'must be integer' }]);
  });

  it('invalid run facet: parent.run has no runId', () => {
    const found = validateEventSchema(corpus('proxy-fluentd/event_invalid_run_facet.json'), 'run');
    expect(under(found, '/run/facets/parent/run')).not.toHaveLength(0);
    expect(found).toEqual([{ pointer: '/run/facets/parent/run/runId', message: "must have required property 'runId'" }]);
  });

  it('invalid job facet: an ownership owner without name (junk _schemaURL: validated by key, as OwnershipJobFacet)', () => {
    const found = validateEventSchema(corpus('proxy-fluentd/event_invalid_job_facet.json'), 'run');
    expect(found).toEqual([{ pointer: '/job/facets/ownership/owners/0/name', message: "must have required property 'name'" }]);
  });

  it('invalid dataset facet: an ownership owner without name (as OwnershipDatasetFacet)', () => {
    const found = validateEventSchema(corpus('proxy-fluentd/event_invalid_dataset_facet.json'), 'run');
    expect(found).toEqual([{ pointer: '/outputs/0/facets/ownership/owners/0/name', message: "must have required property 'name'" }]);
  });

  it('invalid input dataset facet: dataQualityMetrics without columnMetrics', () => {
    // Its _schemaURL names core 1-0-1's DataQualityMetricsInputDatasetFacet, which (like every facet file version
    // 1-0-0..1-0-3) requires columnMetrics; "noRowCount" itself is allowed (no additionalProperties: false).
    const found = validateEventSchema(corpus('proxy-fluentd/event_invalid_input_dataset_facet.json'), 'run');
    expect(found).toEqual([
      { pointer: '/inputs/0/inputFacets/dataQualityMetrics/columnMetrics', message: "must have required property 'columnMetrics'" },
    ]);
  });

  it('no run id: /run/runId', () => {
    expect(validateEventSchema(corpus('proxy-fluentd/event_no_run_id.json'), 'run')).toEqual([
      { pointer: '/run/runId', message: "must have required property 'runId'" },
    ]);
  });

  it("the spec's own full example has no deviation", () => {
    expect(validateEventSchema(corpus('spec-tests/example_full_event.json'), 'run')).toEqual([]);
  });

  it('python client serde examples: naive eventTime (no time zone) is not an RFC 3339 date-time', () => {
    for (const [file, kind] of [
      ['serde_example_run_event', 'run'],
      ['serde_example_dataset_event', 'dataset'],
      ['serde_example_job_event', 'job'],
    ] as const) {
      const found = validateEventSchema(corpus(`python-client/${file}.json`), kind);
      expect(found).toContainEqual({ pointer: '/eventTime', message: 'must match format "date-time"' });
    }
  });
});

describe('validateEventSchema: core schema', () => {
  it('an event missing producer: /producer', () => {
    const event: Record<string, unknown> = runEvent();
    delete event.producer;
    expect(validateEventSchema(event, 'run')).toEqual([{ pointer: '/producer', message: "must have required property 'producer'" }]);
  });

  it('a valid event has no deviation', () => {
    expect(validateEventSchema(runEvent(), 'run')).toEqual([]);
  });

  it('formats and types', () => {
    const found = validateEventSchema(runEvent({ eventTime: 'yesterday', producer: 42 }), 'run');
    expect(found).toContainEqual({ pointer: '/eventTime', message: 'must match format "date-time"' });
    expect(found).toContainEqual({ pointer: '/producer', message: 'must be string' });
  });

  it('picks the core version from schemaURL: RUNNING is not an eventType before 1-0-1... but is in 2-0-2', () => {
    const old = runEvent({ eventType: 'RUNNING', schemaURL: 'https://openlineage.io/spec/1-0-0/OpenLineage.json#/definitions/RunEvent' });
    expect(pointers(validateEventSchema(old, 'run'))).toEqual(['/eventType']);
    expect(validateEventSchema({ ...old, schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent' }, 'run')).toEqual(
      [],
    );
    // unknown or absent: 2-0-2
    expect(validateEventSchema({ ...old, schemaURL: 'https://openlineage.io/spec/9-9-9/OpenLineage.json#/$defs/RunEvent' }, 'run')).toEqual(
      [],
    );
    const { schemaURL: _, ...noUrl } = old;
    expect(validateEventSchema(noUrl, 'run')).toEqual([{ pointer: '/schemaURL', message: "must have required property 'schemaURL'" }]);
  });

  it('DatasetEvent and JobEvent with a 1-x schemaURL are validated as 2-0-2', () => {
    const common = {
      eventTime: '2024-05-01T10:00:00Z',
      producer: PRODUCER,
      schemaURL: 'https://openlineage.io/spec/1-0-5/OpenLineage.json#/$defs/RunEvent',
    };
    expect(validateEventSchema({ ...common, dataset: { namespace: 'ns', name: 'd' } }, 'dataset')).toEqual([]);
    expect(validateEventSchema({ ...common }, 'dataset')).toEqual([
      { pointer: '/dataset', message: "must have required property 'dataset'" },
    ]);
    expect(validateEventSchema({ ...common, job: { namespace: 'ns', name: 'j' } }, 'job')).toEqual([]);
    expect(validateEventSchema({ ...common, job: { namespace: 'ns' } }, 'job')).toEqual([
      { pointer: '/job/name', message: "must have required property 'name'" },
    ]);
  });
});

describe('validateEventSchema: facets by key', () => {
  it('a custom facet with an unknown key yields nothing', () => {
    const event = runEvent();
    event.run.facets.myCompany_thing = facet('https://example.com/schemas/Thing.json', { anything: [1, { nested: null }], owners: 'x' });
    event.job.facets.somethingElse = facet('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobFacet', { query: 5 });
    expect(validateEventSchema(event, 'run')).toEqual([]);
  });

  it('a facet whose _schemaURL is junk is still validated by its key', () => {
    for (const url of [
      'https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.yml#whatever',
      'http://123',
      'not a url at all',
    ]) {
      const event = runEvent();
      event.job.facets.sql = facet(url, { query: 42 });
      const found = validateEventSchema(event, 'run');
      expect(found).toContainEqual({ pointer: '/job/facets/sql/query', message: 'must be string' });
      // _schemaURL must still be a URI (BaseFacet); the first two are.
      expect(found).toHaveLength(url.includes(' ') ? 2 : 1);
    }
  });

  it('the same key is a different facet per location (ownership on a job and on a dataset)', () => {
    const event = runEvent();
    event.job.facets.ownership = facet('https://example.com/facet.json', { owners: [{ type: 'team' }] });
    event.outputs = [
      {
        namespace: 'ns',
        name: 'd',
        facets: { ownership: facet('https://example.com/facet.json', { owners: [{}] }) },
        outputFacets: { ownership: { whatever: 1 } },
      },
    ];
    const byPointer = (a: Deviation, b: Deviation) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0);
    expect(validateEventSchema(event, 'run').sort(byPointer)).toEqual([
      { pointer: '/job/facets/ownership/owners/0/name', message: "must have required property 'name'" },
      { pointer: '/outputs/0/facets/ownership/owners/0/name', message: "must have required property 'name'" },
      // "ownership" is no output facet: a custom one there, checked only as a facet (core 2-0-2: _producer, _schemaURL)
      { pointer: '/outputs/0/outputFacets/ownership/_producer', message: "must have required property '_producer'" },
      { pointer: '/outputs/0/outputFacets/ownership/_schemaURL', message: "must have required property '_schemaURL'" },
    ]);
  });

  it('the version its _schemaURL names, when vendored; else the newest', () => {
    // processing_engine: 1-0-0 requires engine_version, 1-1-x requires version.
    const check = (url: string) => {
      const event = runEvent();
      event.run.facets.processing_engine = facet(url, { version: '3.5.0', name: 'spark' });
      return validateEventSchema(event, 'run');
    };
    const requiresEngineVersion = [
      { pointer: '/run/facets/processing_engine/engine_version', message: "must have required property 'engine_version'" },
    ];
    expect(check('https://openlineage.io/spec/facets/1-0-0/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet')).toEqual(
      requiresEngineVersion,
    );
    expect(check('https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet')).toEqual([]);
    expect(check('https://openlineage.io/spec/facets/1-0-9/ProcessingEngineRunFacet.json')).toEqual([]); // not vendored: newest
    expect(check('https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json')).toEqual([]); // another facet: newest
    expect(check('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunFacet')).toEqual([]);
  });

  it('facets defined inside core 1-0-0/1-0-1, named by their core URL', () => {
    // OutputStatisticsOutputDatasetFacet requires rowCount in core 1-0-1 and facet file 1-0-0; not from 1-0-1 on.
    const check = (url: string) => {
      const event = runEvent();
      event.outputs = [{ namespace: 'ns', name: 'd', outputFacets: { outputStatistics: facet(url, { size: 10 }) } }];
      return validateEventSchema(event, 'run');
    };
    const requiresRowCount = [
      { pointer: '/outputs/0/outputFacets/outputStatistics/rowCount', message: "must have required property 'rowCount'" },
    ];
    expect(check('https://openlineage.io/spec/1-0-1/OpenLineage.json#/definitions/OutputStatisticsOutputDatasetFacet')).toEqual(
      requiresRowCount,
    );
    expect(
      check('https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.json#/definitions/OutputStatisticsOutputDatasetFacet'),
    ).toEqual(requiresRowCount);
    expect(
      check('https://openlineage.io/spec/facets/1-0-0/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet'),
    ).toEqual(requiresRowCount);
    expect(
      check('https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet'),
    ).toEqual([]);
    expect(
      check(
        'https://raw.githubusercontent.com/OpenLineage/OpenLineage/main/spec/OpenLineage.json#/definitions/OutputStatisticsOutputDatasetFacet',
      ),
    ).toEqual([]);
  });

  it('a known facet that is null or not an object', () => {
    const event = runEvent();
    event.run.facets.parent = null;
    event.run.facets.nominalTime = [];
    event.job.facets.sql = 'select 1';
    expect(validateEventSchema(event, 'run')).toEqual([
      { pointer: '/run/facets/parent', message: 'must be object, not null' },
      { pointer: '/run/facets/nominalTime', message: 'must be object' },
      { pointer: '/job/facets/sql', message: 'must be object' },
    ]);
  });

  it('dataset.facets of a DatasetEvent', () => {
    const event = {
      eventTime: '2024-05-01T10:00:00Z',
      producer: PRODUCER,
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
      dataset: {
        namespace: 'ns',
        name: 'd',
        facets: { symlinks: facet('https://example.com/facet.json', { identifiers: [{ namespace: 'a', name: 'b' }] }) },
      },
    };
    expect(validateEventSchema(event, 'dataset')).toEqual([
      { pointer: '/dataset/facets/symlinks/identifiers/0/type', message: "must have required property 'type'" },
    ]);
  });

  it('escapes ~ and / in keys (RFC 6901)', () => {
    const event = runEvent();
    event.run.facets['a/b~c'] = { no: 'base fields' };
    expect(pointers(validateEventSchema(event, 'run'))).toEqual(['/run/facets/a~1b~0c/_producer', '/run/facets/a~1b~0c/_schemaURL']);
  });
});

describe("validateEventSchema: Pedigree's own facets (spec/pedigree/)", () => {
  const METRICS = 'urn:pedigree:facets:1-0-0:MLflowMetricsRunFacet.json#/$defs/MLflowMetricsRunFacet';
  const RUN = 'urn:pedigree:facets:1-0-0:MLflowRunFacet.json#/$defs/MLflowRunFacet';
  const DATASET = 'urn:pedigree:facets:1-0-0:MLflowDatasetInputDatasetFacet.json#/$defs/MLflowDatasetInputDatasetFacet';
  const mlflow = {
    run_id: '0123456789abcdef0123456789abcdef',
    experiment_id: '1',
    status: 'FINISHED',
    lifecycle_stage: 'active',
    start_time: 1,
  };

  it('validated when their _schemaURL names them', () => {
    const e = runEvent();
    e.run.facets.mlflow = facet(RUN, mlflow);
    e.run.facets.mlflow_metrics = facet(METRICS, {
      metrics: [
        { key: 'auc', value: 0.91, step: 3, timestamp: 5 },
        { key: 'loss', value: 'NaN', step: 3, timestamp: 5 },
      ],
    });
    e.inputs.push({
      namespace: 's3://b',
      name: 'k',
      inputFacets: { mlflow_dataset: facet(DATASET, { name: 'users', digest: 'ab', source_type: 's3' }) },
    });
    expect(validateEventSchema(e, 'run')).toEqual([]);
    e.run.facets.mlflow = facet(RUN, { ...mlflow, run_id: 'not-hex', status: 'DONE' });
    e.run.facets.mlflow_metrics = facet(METRICS, { metrics: [{ key: 'auc', value: 'high', step: 1.5, timestamp: 5 }] });
    e.inputs[0]!.inputFacets = { mlflow_dataset: facet(DATASET, { name: 'users' }) };
    expect(pointers(validateEventSchema(e, 'run')).sort()).toEqual([
      '/inputs/0/inputFacets/mlflow_dataset/digest',
      '/inputs/0/inputFacets/mlflow_dataset/source_type',
      '/run/facets/mlflow/run_id',
      '/run/facets/mlflow/status',
      '/run/facets/mlflow_metrics/metrics/0/step',
      '/run/facets/mlflow_metrics/metrics/0/value',
    ]);
  });

  it("another producer's facet under the same key is a custom facet: only the core schema applies", () => {
    const e = runEvent();
    e.run.facets.mlflow = facet('https://example.com/schemas/MlflowFacet.json', { run_id: 42 });
    expect(validateEventSchema(e, 'run')).toEqual([]);
    e.run.facets.mlflow = { run_id: 42 };
    expect(pointers(validateEventSchema(e, 'run')).sort()).toEqual(['/run/facets/mlflow/_producer', '/run/facets/mlflow/_schemaURL']);
  });
});

describe('validateEventSchema: anyOf/oneOf', () => {
  const subset = (inputCondition: unknown) => {
    const event = runEvent();
    event.inputs = [
      {
        namespace: 'ns',
        name: 'd',
        inputFacets: { subset: facet('https://openlineage.io/spec/facets/1-0-0/BaseSubsetDatasetFacet.json', { inputCondition }) },
      },
    ];
    return validateEventSchema(event, 'run');
  };
  const at = '/inputs/0/inputFacets/subset/inputCondition';

  it('reports only the alternative its discriminator selects', () => {
    expect(subset({ type: 'location', locations: ['s3://b/p'] })).toEqual([]);
    expect(subset({ type: 'location', locations: 's3://b/p' })).toEqual([{ pointer: `${at}/locations`, message: 'must be array' }]);
    expect(subset({ type: 'location' })).toEqual([{ pointer: `${at}/locations`, message: "must have required property 'locations'" }]);
    expect(
      subset({
        type: 'binary',
        operator: 'AND',
        left: { type: 'location', locations: [] },
        right: { type: 'compare', comparison: 'EQUAL', left: { type: 'field', field: 1 }, right: { type: 'literal', value: 'v' } },
      }),
    ).toEqual([{ pointer: `${at}/right/left/field`, message: 'must be string' }]);
  });

  it('when no alternative matches the discriminator, lists its allowed values', () => {
    expect(subset({ type: 'range' })).toEqual([
      { pointer: `${at}/type`, message: 'must be equal to one of the allowed values: "location", "partition", "binary", "compare"' },
    ]);
  });

  it('lineage facet: dataset vs job inputs', () => {
    const event = runEvent();
    event.outputs = [
      {
        namespace: 'ns',
        name: 'd',
        facets: {
          lineage: facet('https://example.com/facet.json', {
            inputs: [{ namespace: 'a', name: 'b', type: 'DATASET', field: 5 }],
            fields: { c: { inputs: [{ type: 'JOB', namespace: 'x' }] } },
          }),
        },
      },
    ];
    expect(validateEventSchema(event, 'run')).toEqual([
      { pointer: '/outputs/0/facets/lineage/inputs/0/field', message: 'must be string' },
      {
        pointer: '/outputs/0/facets/lineage/fields/c/inputs/0/name',
        message: 'must have property name when property namespace is present',
      },
    ]);
  });

  it('the facet maps of core 2-0-2 (anyOf with one alternative): no wrapper error', () => {
    const event = runEvent();
    event.run.facets.custom = { _producer: PRODUCER };
    expect(validateEventSchema(event, 'run')).toEqual([
      { pointer: '/run/facets/custom/_schemaURL', message: "must have required property '_schemaURL'" },
    ]);
  });
});

describe('validateEventSchema: robustness', () => {
  it('never throws, whatever the JSON', () => {
    const odd: unknown[] = [
      null,
      [],
      'x',
      5,
      true,
      {},
      { run: [], job: 'j', inputs: {}, outputs: [null, 5, [], { facets: [], outputFacets: 3 }] },
    ];
    odd.push({
      ...runEvent(),
      run: { runId: 'x', facets: [] },
      job: { namespace: 1, name: null, facets: { sql: [] } },
      inputs: [{ namespace: 'n', name: 'd', facets: null, inputFacets: [] }],
    });
    odd.push({ dataset: [], schemaURL: {} });
    for (const value of odd) {
      for (const kind of ['run', 'dataset', 'job', 'weird'] as EventKind[])
        expect(() => validateEventSchema(value as Record<string, unknown>, kind)).not.toThrow();
    }
    expect(validateEventSchema(null as unknown as Record<string, unknown>, 'run')).toEqual([{ pointer: '', message: 'must be object' }]);
  });

  it('absurdly deep recursive facets: a deviation, not a crash', () => {
    let field: Record<string, unknown> = { name: 'leaf', type: 'string' };
    for (let i = 0; i < 100_000; i++) field = { name: `f${i}`, type: 'struct', fields: [field] };
    const event = runEvent();
    event.outputs = [
      {
        namespace: 'ns',
        name: 'd',
        facets: { schema: facet('https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json', { fields: [field] }) },
      },
    ];
    const found = validateEventSchema(event, 'run');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.pointer.startsWith('/outputs/0/facets/schema')).toBe(true);
  });

  it(`caps at ${MAX_DEVIATIONS}, the last saying how many more there were`, () => {
    const event = runEvent({ outputs: Array.from({ length: 5000 }, (_, i) => ({ namespace: 'ns', name: i })) });
    const found = validateEventSchema(event, 'run');
    expect(found).toHaveLength(MAX_DEVIATIONS);
    expect(found[0]).toEqual({ pointer: '/outputs/0/name', message: 'must be string' });
    expect(found.at(-1)).toEqual({ pointer: '', message: `${5000 - (MAX_DEVIATIONS - 1)} more deviations not listed` });
  });
});

describe('the generated validators', () => {
  it('compile nothing and load nothing at run time', () => {
    const code = readFileSync(join(generatedDir, 'validators.js'), 'utf8');
    expect(code).not.toMatch(/new\s+Function/);
    expect(code).not.toMatch(/\beval\s*\(/);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/^\s*import[\s{(]/m);
  });

  it('index: core versions and facet keys by location', () => {
    const index = JSON.parse(readFileSync(join(generatedDir, 'index.json'), 'utf8')) as {
      core: { default: string; versions: Record<string, Record<string, string>> };
      facets: Record<string, Record<string, { version: string; fn: string }[]>>;
    };
    expect(index.core.default).toBe('2-0-2');
    expect(Object.keys(index.core.versions)).toEqual(['1-0-0', '1-0-1', '1-0-2', '1-0-3', '1-0-4', '1-0-5', '2-0-0', '2-0-1', '2-0-2']);
    expect(index.core.versions['1-0-5']).toEqual({ RunEvent: 'core_1_0_5_RunEvent' });
    expect(Object.keys(index.core.versions['2-0-0']!).sort()).toEqual(['DatasetEvent', 'JobEvent', 'RunEvent']);
    expect(index.facets.job!.ownership!.at(-1)!.fn).toBe('facet_OwnershipJobFacet_1_0_1');
    expect(index.facets.dataset!.ownership!.at(-1)!.fn).toBe('facet_OwnershipDatasetFacet_1_0_1');
    expect(index.facets.inputDataset!.dataQualityMetrics!.at(-1)!.version).toBe('1-0-3');
    expect(index.facets.dataset!.dataQualityMetrics!.at(-1)!.fn).toBe('facet_DataQualityMetricsDatasetFacet_1_0_0');
  });
});
