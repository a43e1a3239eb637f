import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/core/errors';
import type { Db } from '../src/db/client';
import {
  mlflowDatasets,
  mlflowExperiments,
  mlflowExperimentTags,
  mlflowLoggedModelParams,
  mlflowLoggedModels,
  mlflowLoggedModelTags,
  mlflowMetrics,
  mlflowParams,
  mlflowRunInputs,
  mlflowRuns,
  mlflowTags,
} from '../src/db/schema';
import { type ExperimentSearch, searchExperimentIds } from '../src/tracking/experiment-search';
import { type LoggedModelSearch, searchLoggedModelIds } from '../src/tracking/logged-model-search';
import { type RunSearch, searchRunIds } from '../src/tracking/run-search';
import { databases, useDatabase } from './support/databases';

/**
 * MLflow's tracking searches (runs, experiments, logged models) as MLflow's SQL store answers them
 * (MLflow 3.6: mlflow/store/tracking/sqlalchemy_store.py, mlflow/utils/search_utils.py,
 * mlflow/utils/search_logged_model_utils.py). The expected answers are those MLflow's own
 * SqlAlchemyStore gave on PostgreSQL for the same fixture, loaded through its API.
 */
const hex = (prefix: string) => prefix.padEnd(32, '0');
const LONG = 'x'.repeat(250);

// fixture:start
const FIXTURE = {
  experiments: [
    { id: '0', name: 'Default', created: 50, updated: 50 },
    { id: '1', name: 'alpha', created: 100, updated: 900, tags: { team: 'growth', tier: 'gold' } },
    { id: '2', name: 'beta', created: 200, updated: 200, tags: { team: 'Growth' } },
    { id: '3', name: 'gamma', created: 300, updated: 300, deleted: true },
    { id: '4', name: 'delta', created: 200, updated: 400 },
  ],
  runs: [
    {
      id: hex('a1'),
      experiment: '1',
      name: 'train-lr-0.1',
      user: 'alice',
      status: 'FINISHED',
      start: 1000,
      end: 2000,
      tags: { dataset_version: 'orders_v2.1', team: 'growth', note: `${LONG}A` },
      params: { lr: '0.1', model: 'xgb' },
      metrics: { acc: 0.9, loss: 0.3 },
      inputs: [{ name: 'orders', digest: 'd1', context: 'training' }],
    },
    {
      id: hex('b2'),
      experiment: '1',
      name: 'train-lr-0.01',
      user: 'bob',
      status: 'FINISHED',
      start: 2000,
      end: 3000,
      tags: { dataset_version: 'orders_v2.1', team: 'Growth', note: `${LONG}B` },
      params: { lr: '0.01', model: 'XGB' },
      metrics: { acc: 0.95, loss: 'NaN' },
      inputs: [
        { name: 'orders', digest: 'd1', context: 'training' },
        { name: 'holdout', digest: 'd2', context: 'evaluation' },
      ],
    },
    {
      id: hex('ab'),
      experiment: '1',
      name: 'tie',
      user: 'bob',
      status: 'SCHEDULED',
      start: 2000,
      params: { model: 'lgbm' },
      metrics: { loss: 0.1 },
    },
    {
      id: hex('c3'),
      experiment: '1',
      name: 'eval-Run',
      user: 'alice',
      status: 'FAILED',
      start: 3000,
      end: 3500,
      tags: { dataset_version: 'orders_v2.0' },
      params: { lr: '0.1' },
      metrics: { acc: 'NaN' },
      inputs: [{ name: 'holdout', digest: 'd2', context: 'evaluation' }],
    },
    { id: hex('d4'), experiment: '1', name: 'running', user: 'carol', status: 'RUNNING', start: 4000, metrics: { acc: 0, loss: 0.5 } },
    {
      id: hex('e5'),
      experiment: '1',
      name: 'deleted-run',
      user: 'alice',
      status: 'KILLED',
      start: 5000,
      end: 5100,
      deleted: true,
      tags: { dataset_version: 'orders_v2.1' },
      metrics: { acc: 0.99 },
    },
    {
      id: hex('f6'),
      experiment: '2',
      name: 'other-exp',
      user: 'dana',
      status: 'FINISHED',
      start: 1500,
      end: 1600,
      tags: { dataset_version: 'orders_v2.1' },
    },
  ],
  models: [
    {
      id: `m-${hex('a1')}`,
      experiment: '1',
      name: 'clf',
      run: hex('a1'),
      type: 'sklearn',
      status: 'READY',
      created: 1000,
      updated: 1100,
      params: { lr: '0.1' },
      tags: { stage: 'prod' },
      metrics: [
        { key: 'score', value: 0.9, timestamp: 10, dataset: 'orders', digest: 'd1' },
        { key: 'score', value: 0.8, timestamp: 20, dataset: 'holdout', digest: 'd2' },
      ],
    },
    {
      id: `m-${hex('b2')}`,
      experiment: '1',
      name: 'clf',
      run: hex('b2'),
      type: 'xgboost',
      status: 'READY',
      created: 2000,
      updated: 2100,
      params: { lr: '0.01' },
      tags: { stage: 'dev' },
      metrics: [{ key: 'score', value: 0.95, timestamp: 10, dataset: 'orders', digest: 'd1' }],
    },
    { id: `m-${hex('c3')}`, experiment: '1', name: 'ranker', status: 'PENDING', created: 3000, updated: 3000 },
    { id: `m-${hex('d4')}`, experiment: '1', name: 'old', run: hex('a1'), status: 'READY', created: 4000, updated: 4000, deleted: true },
    { id: `m-${hex('e5')}`, experiment: '2', name: 'beta-model', run: hex('f6'), status: 'READY', created: 1500, updated: 1500 },
  ],
};
// fixture:end

type Fixture = typeof FIXTURE;
type FixtureRun = Fixture['runs'][number] & {
  end?: number;
  deleted?: boolean;
  tags?: Record<string, string>;
  params?: Record<string, string>;
  metrics?: Record<string, number | string>;
  inputs?: { name: string; digest: string; context: string }[];
};
type FixtureModel = Fixture['models'][number] & {
  run?: string;
  type?: string;
  deleted?: boolean;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: { key: string; value: number; timestamp: number; dataset: string; digest: string }[];
};

const double = (v: number | string) => sql`${String(v)}::double precision`;

/** The fixture as MLflow's store holds it, every run with its `mlflow.runName` tag (SqlAlchemyStore.create_run). */
async function load(db: Db) {
  const orm = db.orm;
  for (const e of FIXTURE.experiments) {
    const row = {
      name: e.name,
      lifecycleStage: e.deleted ? ('deleted' as const) : ('active' as const),
      creationTime: e.created,
      lastUpdateTime: e.updated,
    };
    if (e.id === '0') await orm.update(mlflowExperiments).set(row).where(sql`experiment_id = 0`);
    else await orm.insert(mlflowExperiments).values({ experimentId: Number(e.id), ...row });
    const tags = Object.entries(e.tags ?? {}).map(([key, value]) => ({ experimentId: Number(e.id), key, value }));
    if (tags.length) await orm.insert(mlflowExperimentTags).values(tags);
  }
  const datasets = new Map<string, string>();
  for (const r of FIXTURE.runs as FixtureRun[]) {
    await orm.insert(mlflowRuns).values({
      runUuid: r.id,
      experimentId: Number(r.experiment),
      name: r.name,
      userId: r.user,
      status: r.status as 'FINISHED',
      startTime: r.start,
      endTime: r.end ?? null,
      deletedTime: r.deleted ? 9999 : null,
      lifecycleStage: r.deleted ? 'deleted' : 'active',
      artifactUri: `s3://artifacts/${r.experiment}/${r.id}/artifacts`,
      jobNamespace: 'mlflow',
      jobName: `experiment-${r.experiment}`,
    });
    const tags = Object.entries({ ...r.tags, 'mlflow.runName': r.name }).map(([key, value]) => ({ runUuid: r.id, key, value }));
    await orm.insert(mlflowTags).values(tags);
    const params = Object.entries(r.params ?? {}).map(([key, value]) => ({ runUuid: r.id, key, value }));
    if (params.length) await orm.insert(mlflowParams).values(params);
    for (const [key, value] of Object.entries(r.metrics ?? {}))
      await db.orm.execute(
        sql`insert into mlflow_latest_metrics (run_uuid, key, value, timestamp, step) values (${r.id}, ${key}, ${double(value)}, 1, 0)`,
      );
    for (const [position, input] of (r.inputs ?? []).entries()) {
      const identity = `${r.experiment}/${input.name}/${input.digest}`;
      if (!datasets.has(identity)) {
        const uuid = crypto.randomUUID();
        datasets.set(identity, uuid);
        await orm.insert(mlflowDatasets).values({
          datasetUuid: uuid,
          experimentId: Number(r.experiment),
          name: input.name,
          digest: input.digest,
          sourceType: 'local',
          source: `file:///${input.name}`,
        });
      }
      await orm.insert(mlflowRunInputs).values({
        runUuid: r.id,
        datasetUuid: datasets.get(identity)!,
        tags: [{ key: 'mlflow.data.context', value: input.context }],
        position,
      });
    }
  }
  // Metrics logged on runs keep their history too; the searches read the latest values only.
  await db.orm.execute(sql`insert into mlflow_metrics (run_uuid, key, value, timestamp, step)
    select run_uuid, key, value, timestamp, step from mlflow_latest_metrics`);
  for (const m of FIXTURE.models as FixtureModel[]) {
    await orm.insert(mlflowLoggedModels).values({
      modelId: m.id,
      experimentId: Number(m.experiment),
      name: m.name,
      artifactLocation: `s3://artifacts/${m.experiment}/models/${m.id}/artifacts`,
      creationTime: m.created,
      lastUpdatedTime: m.updated,
      status: m.status,
      lifecycleStage: m.deleted ? 'deleted' : 'active',
      modelType: m.type ?? null,
      sourceRunId: m.run ?? null,
    });
    const params = Object.entries(m.params ?? {}).map(([key, value]) => ({ modelId: m.id, key, value }));
    if (params.length) await orm.insert(mlflowLoggedModelParams).values(params);
    const tags = Object.entries(m.tags ?? {}).map(([key, value]) => ({ modelId: m.id, key, value }));
    if (tags.length) await orm.insert(mlflowLoggedModelTags).values(tags);
    for (const x of m.metrics ?? [])
      await orm.insert(mlflowMetrics).values({
        runUuid: m.run!,
        key: x.key,
        value: x.value,
        timestamp: x.timestamp,
        step: 0,
        modelId: m.id,
        datasetName: x.dataset,
        datasetDigest: x.digest,
      });
  }
  // A model's metrics are its run's too (MLflow logs them through the run): the run's latest values.
  await db.orm.execute(sql`insert into mlflow_latest_metrics (run_uuid, key, value, timestamp, step)
    select distinct on (run_uuid, key) run_uuid, key, value, timestamp, step from mlflow_metrics where model_id is not null
    order by run_uuid, key, step desc, timestamp desc, value desc`);
}

const NAMES = new Map(FIXTURE.runs.map((r) => [r.id, r.name]));
const EXPERIMENTS = new Map(FIXTURE.experiments.map((e) => [e.id, e.name]));
const m = (prefix: string) => `m-${hex(prefix)}`;

describe.each(databases)("MLflow's tracking searches on $name", (database) => {
  const ctx = useDatabase(database);
  beforeAll(async () => load(ctx().db));

  const page = (q: Partial<RunSearch> = {}) => searchRunIds(ctx().db, { experimentIds: ['1'], maxResults: 1000, orderBy: [], ...q });
  const runs = async (filter?: string, q: Partial<RunSearch> = {}) =>
    (await page({ ...(filter === undefined ? {} : { filter }), ...q })).runUuids.map((id) => NAMES.get(id));
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'refused').toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('invalid');
    return (error as DomainError).message;
  };
  const refusedRuns = (filter: string | undefined, q: Partial<RunSearch> = {}) =>
    refusal(page({ ...(filter === undefined ? {} : { filter }), ...q }));

  describe('runs/search', () => {
    it('answers the active runs of the experiments asked, newest first, then by run id', async () => {
      // _get_orderby_clauses: start_time DESC unless ordered by it, then run_uuid (tie and train-lr-0.01 both started at 2000).
      expect(await runs()).toEqual(['running', 'eval-Run', 'tie', 'train-lr-0.01', 'train-lr-0.1']);
      expect(await runs(undefined, { experimentIds: ['1', '2'] })).toEqual([
        'running',
        'eval-Run',
        'tie',
        'train-lr-0.01',
        'other-exp',
        'train-lr-0.1',
      ]);
      expect(await runs(undefined, { experimentIds: [] })).toEqual([]);
      expect(await runs(undefined, { runViewType: 'DELETED_ONLY' })).toEqual(['deleted-run']);
      expect(await runs(undefined, { runViewType: 3 })).toEqual([
        'deleted-run',
        'running',
        'eval-Run',
        'tie',
        'train-lr-0.01',
        'train-lr-0.1',
      ]);
      expect(await runs(undefined, { runViewType: 'ALL', experimentIds: ['2'] })).toEqual(['other-exp']);
    });

    it('filters by tag and param: =, !=, LIKE (case-sensitive), ILIKE; the key must be there', async () => {
      expect(await runs("tags.dataset_version = 'orders_v2.1'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      expect(await runs('tags.dataset_version = "orders_v2.0"')).toEqual(['eval-Run']);
      expect(await runs("tags.team = 'growth'")).toEqual(['train-lr-0.1']);
      expect(await runs("tags.team LIKE 'G%'")).toEqual(['train-lr-0.01']);
      expect(await runs("tag.team ILIKE 'growth'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      // MLflow joins the tag rows: runs without the tag do not match `!=`.
      expect(await runs("tags.team != 'growth'")).toEqual(['train-lr-0.01']);
      // Values longer than the index's 200 characters compare whole.
      expect(await runs(`tags.note = '${LONG}A'`)).toEqual(['train-lr-0.1']);
      expect(await runs(`tags.note LIKE '${LONG}%'`)).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      // Both notes start with these 200 characters: only the whole value tells.
      expect(await runs(`tags.note = '${LONG.slice(0, 200)}'`)).toEqual([]);
      expect(await runs(`tags.note = '${LONG.slice(0, 199)}'`)).toEqual([]);
      expect(await runs("tags.`mlflow.runName` LIKE 'train%'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      expect(await runs("tags.mlflow.runName = 'tie'")).toEqual(['tie']);
      expect(await runs("params.lr = '0.1'")).toEqual(['eval-Run', 'train-lr-0.1']);
      expect(await runs("params.lr != '0.1'")).toEqual(['train-lr-0.01']);
      expect(await runs("param.model LIKE 'x%'")).toEqual(['train-lr-0.1']);
      expect(await runs("parameters.model ilike 'X%'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      expect(await runs("params.`model` = 'lgbm' and tags.team = 'growth'")).toEqual([]);
      expect(await runs("params.model ILIKE 'xgb' AND metrics.acc > 0.92")).toEqual(['train-lr-0.01']);
    });

    it('filters by latest metric; NaN compares as the 0 MLflow stores in its place', async () => {
      expect(await runs('metrics.acc > 0.9')).toEqual(['train-lr-0.01']);
      expect(await runs('metrics.acc >= 0.9')).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      // SqlAlchemyStore.sanitize_metric_value: NaN is stored as 0 with is_nan, and filters compare the 0.
      expect(await runs('metrics.acc = 0')).toEqual(['running', 'eval-Run']);
      expect(await runs('metrics.acc < 0.5')).toEqual(['running', 'eval-Run']);
      expect(await runs('metric.loss != 0.3')).toEqual(['running', 'tie', 'train-lr-0.01']);
      expect(await runs('metrics.loss > .2 and metrics.loss <= 5e-1')).toEqual(['running', 'train-lr-0.1']);
      expect(await runs('metrics.acc > -1')).toEqual(['running', 'eval-Run', 'train-lr-0.01', 'train-lr-0.1']);
      expect(await runs('metrics.`acc` > 0.5 metrics."loss" < 1')).toEqual(['train-lr-0.01', 'train-lr-0.1']);
    });

    it('filters by attribute: run_id (IN lists drop ids with upper case), run_name as the tag, status, user, times', async () => {
      expect(await runs("attributes.status = 'FINISHED'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      expect(await runs("attribute.status != 'FINISHED'")).toEqual(['running', 'eval-Run', 'tie']);
      expect(await runs("status = 'finished'")).toEqual([]);
      expect(await runs("run.user_id = 'alice'")).toEqual(['eval-Run', 'train-lr-0.1']);
      expect(await runs("attr.user_id ILIKE 'B%'")).toEqual(['tie', 'train-lr-0.01']);
      expect(await runs("attributes.run_name = 'tie'")).toEqual(['tie']);
      expect(await runs("attributes.`Run name` LIKE '%Run'")).toEqual(['eval-Run']);
      expect(await runs(`run_id = '${hex('ab')}'`)).toEqual(['tie']);
      // SearchUtils._parse_run_ids keeps the lower-case ids only (islower()).
      expect(await runs(`attributes.run_id IN ('${hex('a1')}', '${hex('B2')}')`)).toEqual(['train-lr-0.1']);
      expect(await runs(`attributes.run_id in ('${hex('B2')}')`)).toEqual([]);
      expect(await runs(`attributes.run_id NOT IN ('${hex('a1')}', '${hex('d4')}')`)).toEqual(['eval-Run', 'tie', 'train-lr-0.01']);
      expect(await runs(`run_id not in ('${hex('A1')}')`)).toHaveLength(5);
      expect(await runs('start_time >= 2000')).toEqual(['running', 'eval-Run', 'tie', 'train-lr-0.01']);
      expect(await runs('attributes.created < 2000')).toEqual(['train-lr-0.1']);
      expect(await runs('Created = 3000')).toEqual(['eval-Run']);
      // Runs without an end do not match.
      expect(await runs('end_time > 2500')).toEqual(['eval-Run', 'train-lr-0.01']);
      expect(await runs('end_time != 0')).toEqual(['eval-Run', 'train-lr-0.01', 'train-lr-0.1']);
      expect(await runs(`attributes.artifact_uri LIKE '%/${hex('c3')}/%'`)).toEqual(['eval-Run']);
    });

    it("filters by dataset input: name, digest, context (the input's mlflow.data.context), lists", async () => {
      expect(await runs("datasets.name = 'holdout'")).toEqual(['eval-Run', 'train-lr-0.01']);
      expect(await runs("dataset.digest IN ('d1')")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      expect(await runs("datasets.context = 'training'")).toEqual(['train-lr-0.01', 'train-lr-0.1']);
      // Some input must match: train-lr-0.01 also has an evaluation input.
      expect(await runs("datasets.context != 'training'")).toEqual(['eval-Run', 'train-lr-0.01']);
      expect(await runs("datasets.name NOT IN ('orders')")).toEqual(['eval-Run', 'train-lr-0.01']);
      expect(await runs("datasets.name LIKE 'hold%' AND datasets.context ILIKE 'EVAL%'")).toEqual(['eval-Run', 'train-lr-0.01']);
    });

    it('orders by attribute, metric, param, tag: missing values last, NaN after every number', async () => {
      const ordered = (...orderBy: string[]) => runs(undefined, { orderBy });
      // _get_orderby_clauses: case(is_nan → 1, missing → 2, else 0) first, then the value, whatever the direction.
      expect(await ordered('metrics.acc DESC')).toEqual(['train-lr-0.01', 'train-lr-0.1', 'running', 'eval-Run', 'tie']);
      expect(await ordered('metrics.acc')).toEqual(['running', 'train-lr-0.1', 'train-lr-0.01', 'eval-Run', 'tie']);
      expect(await ordered('metric.loss ASC')).toEqual(['tie', 'train-lr-0.1', 'running', 'train-lr-0.01', 'eval-Run']);
      expect(await ordered('params.lr ASC')).toEqual(['train-lr-0.01', 'eval-Run', 'train-lr-0.1', 'running', 'tie']);
      expect(await ordered('tags.dataset_version DESC')).toEqual(['train-lr-0.01', 'train-lr-0.1', 'eval-Run', 'running', 'tie']);
      // Attributes too (PostgreSQL alone would put end_time's nulls first when descending).
      expect(await ordered('attributes.end_time DESC')).toEqual(['eval-Run', 'train-lr-0.01', 'train-lr-0.1', 'running', 'tie']);
      expect(await ordered('start_time ASC')).toEqual(['train-lr-0.1', 'tie', 'train-lr-0.01', 'eval-Run', 'running']);
      expect(await ordered('created DESC')).toEqual(['running', 'eval-Run', 'tie', 'train-lr-0.01', 'train-lr-0.1']);
      expect(await ordered('attribute.run_name')).toEqual(['eval-Run', 'running', 'tie', 'train-lr-0.01', 'train-lr-0.1']);
      expect(await ordered('`params`.`lr` DESC', 'status')).toEqual(['eval-Run', 'train-lr-0.1', 'train-lr-0.01', 'running', 'tie']);
      expect(await ordered('user_id', 'metrics.loss DESC')).toEqual(['train-lr-0.1', 'eval-Run', 'tie', 'train-lr-0.01', 'running']);
    });

    it("pages with MLflow's offset tokens, one whenever a page is full", async () => {
      const first = await page({ maxResults: 2 });
      expect(first.runUuids.map((id) => NAMES.get(id))).toEqual(['running', 'eval-Run']);
      expect(JSON.parse(atob(first.nextPageToken!))).toEqual({ offset: 2 });
      const second = await page({ maxResults: 2, pageToken: first.nextPageToken });
      expect(second.runUuids.map((id) => NAMES.get(id))).toEqual(['tie', 'train-lr-0.01']);
      const third = await page({ maxResults: 2, pageToken: second.nextPageToken });
      expect(third).toEqual({ runUuids: [hex('a1')] });
      // _search_runs: a token whenever the page is full, even when nothing follows.
      const full = await page({ maxResults: 5 });
      expect(JSON.parse(atob(full.nextPageToken!))).toEqual({ offset: 5 });
      expect(await page({ maxResults: 5, pageToken: full.nextPageToken })).toEqual({ runUuids: [] });
      expect(await refusal(page({ pageToken: 'bm90IGpzb24=' }))).toBe('Invalid page token, decoded value=not json');
    });

    it("refuses what MLflow refuses, with MLflow's messages", async () => {
      expect(await refusedRuns("foo.x = 'a'")).toBe(
        "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
      );
      expect(await refusedRuns("lifecycle_stage = 'active'")).toMatch(
        /^Invalid attribute key 'lifecycle_stage' specified. Valid keys are '\{/,
      );
      expect(await refusedRuns("datasets.source = 'x'")).toMatch(/^Invalid dataset key 'source' specified/);
      expect(await refusedRuns("metrics.acc = 'a'")).toBe("Expected numeric value type for metric. Found 'a'");
      expect(await refusedRuns('params.lr = 0.1')).toBe("Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.1");
      expect(await refusedRuns("tags.x IN ('a')")).toBe("Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')");
      expect(await refusedRuns('status = FINISHED')).toBe(
        'Parameter value is either not quoted or unidentified quote types used for string value FINISHED. Use either single or double quotes.',
      );
      expect(await refusedRuns("end_time = 'x'")).toBe("Expected numeric value type for numeric attribute: end_time. Found 'x'");
      expect(await refusedRuns("status IN ('a')")).toBe(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      );
      expect(await refusedRuns('run_id IN ()')).toBe(
        'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
      );
      expect(await refusedRuns('datasets.name = 5')).toBe('Expected a quoted string value for dataset attributes. Got value 5');
      expect(await refusedRuns("name = 'a' OR params.x = 'b'")).toBe("Invalid clause(s) in filter string: 'OR'");
      expect(await refusedRuns("params.x = 'a' OR params.x = 'b'")).toBe("Invalid clause(s) in filter string: 'OR'");
      expect(await refusedRuns('tags.x IS NULL')).toBe("Invalid clause(s) in filter string: 'tags.x', 'IS', 'NULL'");
      // The comparators, judged by the store once the whole filter is parsed.
      expect(await refusedRuns("params.x > 'a'")).toMatch(/^Invalid comparator '>' not one of '\{.*\}'$/);
      expect(await refusedRuns("tags.x IN ('a')", {})).toMatch(/^Expected a quoted string value for tag/);
      expect(await refusedRuns('metrics.x LIKE 1')).toMatch(/^Invalid comparator 'LIKE' not one of '\{/);
      expect(await refusedRuns('metrics.x == 1')).toMatch(/^Invalid comparator '==' not one of/);
      expect(await refusedRuns("status > 'a'")).toMatch(
        /^Invalid comparator '>' not one of '\{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'\}'$/,
      );
      expect(await refusedRuns('start_time LIKE 5')).toMatch(/^Invalid comparator 'LIKE' not one of '\{'=', '!=', 'LIKE'/);
      // Orders.
      expect(await refusedRuns(undefined, { orderBy: ['metrics.acc', 'metric.acc DESC'] })).toBe(
        "`order_by` contains duplicate fields: ['metrics.acc', 'metric.acc DESC']",
      );
      expect(await refusedRuns(undefined, { orderBy: ['created', 'start_time'] })).toMatch(/^`order_by` contains duplicate fields/);
      expect(await refusedRuns(undefined, { orderBy: ['datasets.name'] })).toBe("Invalid identifier type 'dataset'");
      expect(await refusedRuns(undefined, { orderBy: ['run name'] })).toMatch(/^Invalid order_by clause 'run name'|^Invalid ordering key/);
      expect(await refusedRuns(undefined, { orderBy: ['metrics.acc SIDEWAYS'] })).toBe(
        "Invalid ordering key in order_by clause 'metrics.acc SIDEWAYS'.",
      );
      expect(await refusedRuns(undefined, { orderBy: ['a b c'] })).toBe("Invalid order_by clause 'a b c'. Could not be parsed.");
      expect(await refusedRuns(undefined, { orderBy: ['experiment_id'] })).toMatch(/^Invalid attribute key 'experiment_id'/);
      // Limits and view types.
      expect(await refusedRuns(undefined, { maxResults: 0 })).toBe(
        "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
      );
      expect(await refusedRuns(undefined, { maxResults: 50_001 })).toBe(
        "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
      );
      expect(await refusedRuns(undefined, { runViewType: 'SOME' })).toMatch(/run_view_type/);
      expect(await refusedRuns(undefined, { experimentIds: ['x'] })).toMatch(/experiment/i);
    });
  });

  describe('experiments/search', () => {
    const experiments = async (q: Partial<ExperimentSearch> = {}) =>
      (await searchExperimentIds(ctx().db, { maxResults: 1000, orderBy: [], ...q })).experimentIds.map((id) => EXPERIMENTS.get(id));

    it('filters by name, times and tags; orders by creation time, newest first, then experiment id', async () => {
      // _get_search_experiments_order_by_clauses: ["creation_time DESC", "experiment_id ASC"] by default.
      expect(await experiments()).toEqual(['beta', 'delta', 'alpha', 'Default']);
      expect(await experiments({ viewType: 'ALL' })).toEqual(['gamma', 'beta', 'delta', 'alpha', 'Default']);
      expect(await experiments({ viewType: 2 })).toEqual(['gamma']);
      expect(await experiments({ filter: "name = 'alpha'" })).toEqual(['alpha']);
      expect(await experiments({ filter: "attribute.name LIKE '%a'" })).toEqual(['beta', 'delta', 'alpha']);
      expect(await experiments({ filter: "name ILIKE 'G%'", viewType: 'ALL' })).toEqual(['gamma']);
      expect(await experiments({ filter: "name != 'beta'" })).toEqual(['delta', 'alpha', 'Default']);
      expect(await experiments({ filter: "tags.team = 'growth'" })).toEqual(['alpha']);
      expect(await experiments({ filter: "tag.team ILIKE 'growth'" })).toEqual(['beta', 'alpha']);
      expect(await experiments({ filter: "tags.team != 'growth'" })).toEqual(['beta']);
      expect(await experiments({ filter: 'creation_time >= 200' })).toEqual(['beta', 'delta']);
      expect(await experiments({ filter: 'last_update_time < 300 AND creation_time > 60' })).toEqual(['beta']);
    });

    it('orders by name, experiment_id, creation_time, last_update_time; ties by experiment id descending', async () => {
      expect(await experiments({ orderBy: ['last_update_time DESC'] })).toEqual(['alpha', 'delta', 'beta', 'Default']);
      expect(await experiments({ orderBy: ['experiment_id DESC'] })).toEqual(['delta', 'beta', 'alpha', 'Default']);
      // The tie-breaker MLflow adds is experiment_id DESC.
      expect(await experiments({ orderBy: ['creation_time'] })).toEqual(['Default', 'alpha', 'delta', 'beta']);
      expect(await experiments({ orderBy: ['`name` desc'], filter: "name LIKE '%a'" })).toEqual(['delta', 'beta', 'alpha']);
      expect(await experiments({ orderBy: ['attribute.name'], filter: "name LIKE '%a'" })).toEqual(['alpha', 'beta', 'delta']);
    });

    it('pages with a token only when more follow', async () => {
      const first = await searchExperimentIds(ctx().db, { maxResults: 2, orderBy: [] });
      expect(first.experimentIds).toEqual(['2', '4']);
      expect(JSON.parse(atob(first.nextPageToken!))).toEqual({ offset: 2 });
      const second = await searchExperimentIds(ctx().db, { maxResults: 2, orderBy: [], pageToken: first.nextPageToken });
      expect(second).toEqual({ experimentIds: ['1', '0'] });
    });

    it("refuses what MLflow refuses, with MLflow's messages", async () => {
      const refused = (q: Partial<ExperimentSearch>) => refusal(experiments(q));
      // SearchExperimentsUtils does not upper-case comparators.
      expect(await refused({ filter: "name like 'a%'" })).toMatch(/^Invalid comparator 'like' not one of '\{/);
      expect(await refused({ filter: "name > 'a'" })).toMatch(/^Invalid comparator '>' not one of '\{/);
      expect(await refused({ filter: "attributes.name = 'a'" })).toBe(
        "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')",
      );
      expect(await refused({ filter: "tags.x > 'a'" })).toBe('Invalid comparator for tag: >');
      expect(await refused({ filter: "tags.x like 'a'" })).toBe('Invalid comparator for tag: like');
      expect(await refused({ filter: "creation_time > '5'" })).toBe(
        "Expected numeric value type for numeric attribute: creation_time. Found '5'",
      );
      expect(await refused({ filter: "experiment_id = '1'" })).toMatch(/^Invalid attribute key 'experiment_id' specified/);
      expect(await refused({ filter: "name IN ('a')" })).toBe(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      );
      expect(await refused({ filter: "name = 'a' OR name = 'b'" })).toBe('Invalid clause(s) in filter string: OR');
      expect(await refused({ orderBy: ['tags.team'] })).toBe('Invalid order_by entity: tag');
      expect(await refused({ orderBy: ['lifecycle_stage'] })).toMatch(/^Invalid attribute key 'lifecycle_stage'/);
      expect(await refused({ maxResults: 0 })).toMatch(/must be a positive integer$/);
      expect(await refused({ maxResults: 50_001 })).toMatch(/must be at most 50000$/);
    });
  });

  describe('logged-models/search', () => {
    const models = async (q: Partial<LoggedModelSearch> = {}) =>
      (await searchLoggedModelIds(ctx().db, { experimentIds: ['1'], ...q })).modelIds;

    it('filters by attribute, metric (any logged value, on the datasets asked), param, tag; newest first', async () => {
      // _apply_order_by_search_logged_models: creation_timestamp DESC unless ordered by it.
      expect(await models()).toEqual([m('c3'), m('b2'), m('a1')]);
      expect(await models({ experimentIds: ['1', '2'] })).toEqual([m('c3'), m('b2'), m('e5'), m('a1')]);
      expect(await models({ filter: "name = 'clf'" })).toEqual([m('b2'), m('a1')]);
      expect(await models({ filter: 'attributes.name LIKE "r%"' })).toEqual([]);
      expect(await models({ filter: "name LIKE 'r%'" })).toEqual([m('c3')]);
      expect(await models({ filter: 'name = clf' })).toEqual([m('b2'), m('a1')]);
      expect(await models({ filter: "model_type IN ('sklearn', 'xgboost')" })).toEqual([m('b2'), m('a1')]);
      expect(await models({ filter: "model_type != 'sklearn'" })).toEqual([m('b2')]);
      expect(await models({ filter: `source_run_id = '${hex('a1')}'` })).toEqual([m('a1')]);
      expect(await models({ filter: "status = 'PENDING'" })).toEqual([m('c3')]);
      expect(await models({ filter: 'creation_time > 1500' })).toEqual([m('c3'), m('b2')]);
      expect(await models({ filter: 'creation_timestamp <= 2000 AND last_updated_timestamp >= 2100' })).toEqual([m('b2')]);
      expect(await models({ filter: 'metrics.score > 0.85' })).toEqual([m('b2'), m('a1')]);
      expect(await models({ filter: 'metrics.score < 0.85' })).toEqual([m('a1')]);
      expect(await models({ filter: 'metrics.score > 0.85', datasets: [{ dataset_name: 'holdout' }] })).toEqual([]);
      expect(await models({ datasets: [{ dataset_name: 'holdout' }] })).toEqual([m('a1')]);
      expect(await models({ datasets: [{ dataset_name: 'orders', dataset_digest: 'd1' }] })).toEqual([m('b2'), m('a1')]);
      expect(await models({ filter: "params.lr = '0.1'" })).toEqual([m('a1')]);
      expect(await models({ filter: "tags.stage IN ('prod')" })).toEqual([m('a1')]);
      expect(await models({ filter: "tags.`stage` NOT IN ('prod')" })).toEqual([m('b2')]);
    });

    it('orders by attribute or latest metric (on a dataset), missing last', async () => {
      expect(await models({ orderBy: [{ field_name: 'metrics.score', ascending: false }] })).toEqual([m('b2'), m('a1'), m('c3')]);
      expect(await models({ orderBy: [{ field_name: 'metrics.score', ascending: true }] })).toEqual([m('a1'), m('b2'), m('c3')]);
      expect(await models({ orderBy: [{ field_name: 'metrics.score', ascending: false, dataset_name: 'orders' }] })).toEqual([
        m('b2'),
        m('a1'),
        m('c3'),
      ]);
      expect(await models({ orderBy: [{ field_name: 'metrics.score', dataset_name: 'orders', dataset_digest: 'd1' }] })).toEqual([
        m('a1'),
        m('b2'),
        m('c3'),
      ]);
      expect(await models({ orderBy: [{ field_name: 'name' }] })).toEqual([m('b2'), m('a1'), m('c3')]);
      expect(await models({ orderBy: [{ field_name: 'creation_time', ascending: true }] })).toEqual([m('a1'), m('b2'), m('c3')]);
      expect(await models({ orderBy: [{ field_name: 'model_type', ascending: false }] })).toEqual([m('b2'), m('a1'), m('c3')]);
    });

    it("pages with MLflow's logged-model tokens, bound to the search they continue", async () => {
      const first = await searchLoggedModelIds(ctx().db, { experimentIds: ['1'], maxResults: 2 });
      expect(first.modelIds).toEqual([m('c3'), m('b2')]);
      // SearchLoggedModelsPaginationToken: the search itself travels with the offset.
      expect(JSON.parse(atob(first.nextPageToken!))).toEqual({ experiment_ids: ['1'], filter_string: null, order_by: null, offset: 2 });
      const second = await searchLoggedModelIds(ctx().db, { experimentIds: ['1'], maxResults: 2, pageToken: first.nextPageToken });
      expect(second).toEqual({ modelIds: [m('a1')] });
      expect(
        await refusal(searchLoggedModelIds(ctx().db, { experimentIds: ['1'], filter: "name = 'clf'", pageToken: first.nextPageToken })),
      ).toBe("Filter string in the page token does not match the requested filter string. Expected: name = 'clf'. Found: None");
      expect(await refusal(searchLoggedModelIds(ctx().db, { experimentIds: ['2'], pageToken: first.nextPageToken }))).toBe(
        "Experiment IDs in the page token do not match the requested experiment IDs. Expected: ['2']. Found: ['1']",
      );
    });

    it("refuses what MLflow refuses, with MLflow's messages", async () => {
      const refused = (q: Partial<LoggedModelSearch>) => refusal(models(q));
      // search_logged_model_utils.parse_filter_string: comparators as written, entities in the plural.
      expect(await refused({ filter: "name like 'a'" })).toBe(
        "Invalid comparison operator for attributes.name: 'like'. Expected one of ('=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN').",
      );
      expect(await refused({ filter: 'metrics.score IN (1)' })).toMatch(/^Invalid comparison operator for metrics.score: 'IN'/);
      expect(await refused({ filter: 'metric.acc > 1' })).toBe(
        "Invalid entity type: 'metric'. Expected one of ['attributes', 'metrics', 'params', 'tags'].",
      );
      expect(await refused({ filter: "name = 'a' OR name = 'b'" })).toBe(
        `Invalid filter string: "name = 'a' OR name = 'b'". Expected a list of comparisons separated by 'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').`,
      );
      expect(await refused({ filter: "foo = 'x'" })).toMatch(/^Invalid attribute key 'foo'/);
      expect(await refused({ orderBy: [{ field_name: 'params.lr' }] })).toBe(
        'Invalid order by field name: params.lr. Only metrics are supported.',
      );
      expect(await refused({ orderBy: [{ field_name: 'foo' }] })).toBe('Invalid order by field name: foo');
      expect(await refused({ datasets: [{ dataset_name: '' }] })).toBe('`dataset_name` in the `datasets` clause must be specified.');
    });
  });
});
