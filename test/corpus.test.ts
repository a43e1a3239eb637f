import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { ids } from '../src/ids';
import { databases, useDatabase } from './support/databases';
import { corpusFiles, corpusText, post } from './support/events';

/**
 * Every file of the shared corpus, posted through the real app. The ones refused, and why: the rest are
 * accepted (possibly with warnings) and normalized.
 */
const REJECTED: Record<string, { pointer: string; why: string }> = {
  'custom/simple_run_event.json': { pointer: '/run/runId', why: 'runId "run_id" is not a UUID' },
  'hive/cllSimpleQueryMaskingComplete.json': { pointer: '/eventTime', why: 'integration-test template: no eventTime, no runId' },
  'hive/cllUnionComplete.json': { pointer: '/eventTime', why: 'integration-test template: no eventTime, no runId' },
  'hive/simpleCtasComplete.json': { pointer: '/eventTime', why: 'template: no eventTime, runId is a json-unit placeholder' },
  'proxy-fluentd/event_no_run_id.json': { pointer: '/run/runId', why: 'deliberately broken: no runId' },
  'spark-integration-tests/applicationLevelStartApplication.json': { pointer: '/eventTime', why: 'template: no eventTime, no runId' },
  'spark-integration-tests/cli-example_expected_event_complete.json': { pointer: '/eventTime', why: 'template: no eventTime, no runId' },
  'spark-integration-tests/columnLineageJDBCComplete.json': { pointer: '/eventTime', why: 'template: no eventTime' },
  'spark-integration-tests/pysparkAlterTableRenameEnd.json': { pointer: '/eventTime', why: 'template: no eventTime' },
  'spark-integration-tests/pysparkCLLEnd.json': { pointer: '/eventTime', why: 'template: no eventTime, empty job name' },
  'spark-integration-tests/pysparkHiveCompleteEvent.json': { pointer: '/eventTime', why: 'template: no eventTime, no runId' },
  'spark-integration-tests/pysparkKafkaReadStartEvent.json': { pointer: '/eventTime', why: 'template: no eventTime, no runId' },
  'spark-integration-tests/pysparkSymlinksComplete.json': { pointer: '/eventTime', why: 'template: no eventTime, empty job name' },
  'spark-integration-tests/pysparkV2DropTableCompleteEvent.json': { pointer: '/eventTime', why: 'template: no eventTime, empty job name' },
  'spark-integration-tests/pysparkV2MergeIntoDeltaTableCompleteEvent.json': { pointer: '/eventTime', why: 'template: no eventTime' },
  'spark-integration-tests/pysparkWriteDeltaTableVersionEnd.json': { pointer: '/eventTime', why: 'template: no eventTime' },
};

/**
 * The fluentd proxy's deliberately broken facets. The run, job and datasets are intact, so by default the
 * lineage is kept and each broken facet is a warning at its pointer; strict mode rejects them (as the
 * proxy does).
 */
const BROKEN_FACETS: Record<string, string> = {
  'proxy-fluentd/event_invalid_dataset_facet.json': '/outputs/0/facets/ownership/owners/0',
  'proxy-fluentd/event_invalid_input_dataset_facet.json': '/inputs/0/inputFacets/dataQualityMetrics',
  'proxy-fluentd/event_invalid_job_facet.json': '/job/facets/ownership/owners/0',
  'proxy-fluentd/event_invalid_output_dataset_facet.json': '/outputs/0/outputFacets/outputStatistics/rowCount',
  'proxy-fluentd/event_invalid_run_facet.json': '/run/facets/parent/run',
};

describe('the shared corpus', () => {
  it('is there, with every file this table names', () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThanOrEqual(100);
    for (const f of [...Object.keys(REJECTED), ...Object.keys(BROKEN_FACETS)]) expect(files).toContain(f);
  });
});

describe.each(databases)('the shared corpus on $name', (database) => {
  const ctx = useDatabase(database);
  const strictCtx = useDatabase(database, { PEDIGREE_STRICT: 'true' });

  it.each(corpusFiles())('%s', async (file) => {
    const { app, db } = ctx();
    const text = corpusText(file);
    const res = await post(app, text);
    const body = (await res.json()) as { id?: string; warnings?: { pointer: string }[]; errors?: { pointer: string }[] };
    const rejected = REJECTED[file];
    if (rejected) {
      expect(res.status, rejected.why).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(body.errors!.map((e) => e.pointer)).toContain(rejected.pointer);
      return;
    }
    expect(res.status, JSON.stringify(body)).toBe(201);
    const broken = BROKEN_FACETS[file];
    if (broken)
      expect(
        body.warnings!.some((w) => w.pointer.startsWith(broken)),
        JSON.stringify(body.warnings),
      ).toBe(true);

    // What the event says is in the tables.
    const event = JSON.parse(text);
    const [stored] = await rows<{ raw: string }>(db.orm, sql`select raw from lineage_events where id = ${body.id}`);
    expect(stored!.raw).toBe(text);
    if (event.run) {
      const runId = String(event.run.runId).toLowerCase();
      const [run] = await rows<{ job_id: string }>(db.orm, sql`select job_id from runs where id = ${runId}`);
      expect(run!.job_id).toBe(ids.job(event.job.namespace, event.job.name));
      for (const [key, direction] of [
        ['inputs', 'in'],
        ['outputs', 'out'],
      ] as const) {
        for (const d of event[key] ?? []) {
          const datasetId = ids.dataset(d.namespace, d.name);
          const edges = await rows(
            db.orm,
            sql`select 1 from run_io where run_id = ${runId} and dataset_id = ${datasetId} and direction = ${direction}`,
          );
          expect(edges, `${key} ${d.namespace} ${d.name}`).toHaveLength(1);
        }
      }
    } else if (event.dataset) {
      const found = await rows(db.orm, sql`select 1 from datasets where id = ${ids.dataset(event.dataset.namespace, event.dataset.name)}`);
      expect(found).toHaveLength(1);
    } else {
      const found = await rows(db.orm, sql`select 1 from jobs where id = ${ids.job(event.job.namespace, event.job.name)}`);
      expect(found).toHaveLength(1);
    }
  });

  it.each(Object.keys(BROKEN_FACETS))('strict mode rejects %s', async (file) => {
    const res = await post(strictCtx().app, corpusText(file));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { pointer: string }[] };
    expect(body.errors.some((e) => e.pointer.startsWith(BROKEN_FACETS[file]!))).toBe(true);
  });
});
