import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { select } from '../src/db/sql';
import { prepareEvent } from '../src/ingest/ingest';
import { replayEvents } from '../src/ingest/replay';
import { MLFLOW_PRODUCER, olRunId } from '../src/tracking/projection';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import {
  change,
  createExperiment,
  createRun,
  hexId,
  logInputs,
  logMetric,
  logModel,
  logParams,
  setStatus,
  setTags,
} from './support/mlflow-rows';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

const T0 = Date.parse('2026-05-04T09:00:00.000Z');
const COMMIT = '6e757cb4e65166c60a81760b8e3d5e0a20f031f3';
const SOURCE_TAGS = {
  'mlflow.user': 'alice',
  'mlflow.source.name': 'train.py',
  'mlflow.source.type': 'LOCAL',
  'mlflow.source.git.commit': COMMIT,
  'mlflow.source.git.repoURL': 'git@github.com:acme/churn.git',
  'mlflow.source.git.branch': 'main',
};
const USERS = {
  name: 'users',
  digest: '3f2a9c1b',
  sourceType: 's3',
  source: { uri: 's3://warehouse/users/v3.0/' },
  schema: {
    mlflow_colspec: [
      { type: 'long', name: 'user_id', required: true },
      { type: 'string', name: 'country' },
    ],
  },
  profile: { num_rows: 1000 },
  context: 'training',
};

/**
 * MLflow runs as OpenLineage runs: the rows MLflow's tracking API writes, inserted with SQL, each change
 * projected in its transaction (src/tracking/projection.ts); then read through Pedigree's own API.
 */
describe.each(databases)('MLflow runs as OpenLineage runs on $name', (database) => {
  const ctx = useDatabase(database);
  let experiment: string;

  async function get(path: string) {
    const res = await ctx().app.request(path);
    const body = (await res.json()) as Json;
    expect(res.status, `${path}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
    return body;
  }
  const events = (runUuid: string) =>
    select<{ event_type: string; event_time: string; raw: string; producer: string }>(
      ctx().db,
      sql`select event_type, to_char(event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as event_time, raw, producer
        from lineage_events where run_id = ${olRunId(runUuid)}::uuid order by event_time, id`,
    );

  beforeAll(async () => {
    experiment = await createExperiment(ctx().db, 'churn');
  });

  describe('one run, from creation to its end', () => {
    const run = hexId();
    const uuid = olRunId(run);

    beforeAll(async () => {
      await createRun(ctx().db, {
        runUuid: run,
        experimentId: experiment,
        experimentName: 'churn',
        startTime: T0,
        tags: SOURCE_TAGS,
        name: 'bold-fox',
      });
    });

    it('created: a START of the job mlflow/<experiment> at the start time, with the mlflow, tags, parameters and metrics facets', async () => {
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r).toMatchObject({ id: uuid, state: 'RUNNING', startedAt: '2026-05-04T09:00:00.000000Z', endedAt: null });
      expect(r.facets.mlflow).toMatchObject({
        run_id: run,
        run_name: 'bold-fox',
        experiment_id: experiment,
        experiment_name: 'churn',
        user_id: 'alice',
        status: 'RUNNING',
        lifecycle_stage: 'active',
        start_time: T0,
        _producer: MLFLOW_PRODUCER,
        _schemaURL: 'urn:pedigree:facets:1-0-0:MLflowRunFacet.json#/$defs/MLflowRunFacet',
      });
      expect(r.facets.tags.tags).toContainEqual({ key: 'mlflow.source.git.commit', value: COMMIT, source: 'MLFLOW' });
      expect(r.facets.executionParameters.parameters).toEqual([]);
      expect(r.facets.mlflow_metrics.metrics).toEqual([]);
      const job = await get('/api/v1/namespaces/mlflow/jobs/churn');
      expect(job).toMatchObject({ namespace: 'mlflow', name: 'churn' });
      const jobFacets = (await get(`/api/v1/jobs/runs/${uuid}/facets?type=job`)).facets;
      expect(jobFacets.jobType).toMatchObject({ processingType: 'BATCH', integration: 'MLFLOW', jobType: 'EXPERIMENT' });
      expect(jobFacets.sourceCodeLocation).toMatchObject({
        type: 'git',
        url: `https://github.com/acme/churn/tree/${COMMIT}`,
        repoUrl: 'git@github.com:acme/churn.git',
        path: 'train.py',
        version: COMMIT,
        branch: 'main',
      });
      expect((await events(run)).map((e) => [e.event_type, e.event_time])).toEqual([['START', '2026-05-04T09:00:00.000Z']]);
    });

    it('data: params and logged datasets make an OTHER event with the whole snapshot; inputs at their digest, with schema and row count', async () => {
      await logParams(ctx().db, run, { lr: '0.01', max_depth: '6' }, T0 + 1_000);
      await logInputs(ctx().db, run, experiment, [USERS], T0 + 2_000);
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r.facets.executionParameters.parameters).toEqual([
        { key: 'lr', value: '0.01' },
        { key: 'max_depth', value: '6' },
      ]);
      // No run wrote that version: the input names it (run_io), no dataset version row resolves it.
      expect(r.inputDatasetVersions.map((i: Json) => i.datasetVersionId)).toEqual([
        { namespace: 's3://warehouse', name: 'users/v3.0', version: null },
      ]);
      const [io] = await select<{ version: string }>(
        ctx().db,
        sql`select version from run_io where run_id = ${uuid}::uuid and direction = 'in'`,
      );
      expect(io!.version).toBe('3f2a9c1b');
      const dataset = await get(`/api/v1/namespaces/${encodeURIComponent('s3://warehouse')}/datasets/${encodeURIComponent('users/v3.0')}`);
      expect(dataset.fields.map((f: Json) => [f.name, f.type])).toEqual([
        ['user_id', 'long'],
        ['country', 'string'],
      ]);
      const raw = JSON.parse((await events(run)).at(-1)!.raw);
      expect(raw.eventType).toBe('OTHER');
      expect(raw.inputs[0].inputFacets).toMatchObject({
        inputStatistics: { rowCount: 1000 },
        mlflow_dataset: {
          name: 'users',
          digest: '3f2a9c1b',
          source_type: 's3',
          source: { uri: 's3://warehouse/users/v3.0/' },
          context: 'training',
        },
      });
      expect(raw.run.facets.executionParameters.parameters).toHaveLength(2);
    });

    it('metrics while the run runs: no event (a training loop would flood the store)', async () => {
      const before = (await events(run)).length;
      for (let step = 0; step < 5; step++) await logMetric(ctx().db, run, 'loss', 1 / (step + 1), step, T0 + 3_000 + step);
      await logMetric(ctx().db, run, 'auc', 0.91, 4, T0 + 3_010);
      expect((await events(run)).length).toBe(before);
    });

    it('a tag changed makes an OTHER event (with the metrics so far); a change that changes nothing makes none', async () => {
      const before = (await events(run)).length;
      await setTags(ctx().db, run, { team: 'growth' }, T0 + 3_500);
      expect((await events(run)).length).toBe(before + 1);
      expect(JSON.parse((await events(run)).at(-1)!.raw).run.facets.mlflow_metrics.metrics).toHaveLength(2);
      await setTags(ctx().db, run, { team: 'growth' }, T0 + 3_600);
      expect((await events(run)).length).toBe(before + 1);
    });

    it('FINISHED: COMPLETE at the end time, with the latest metrics', async () => {
      await setStatus(ctx().db, run, 'FINISHED', T0 + 60_000, T0 + 60_050);
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r).toMatchObject({ state: 'COMPLETED', endedAt: '2026-05-04T09:01:00.000000Z' });
      expect(r.facets.mlflow).toMatchObject({ status: 'FINISHED', end_time: T0 + 60_000 });
      expect(r.facets.mlflow_metrics.metrics).toEqual([
        { key: 'auc', value: 0.91, step: 4, timestamp: T0 + 3_010 },
        { key: 'loss', value: 0.2, step: 4, timestamp: T0 + 3_004 },
      ]);
      expect(r.facets.tags.tags).toContainEqual({ key: 'team', value: 'growth', source: 'MLFLOW' });
      expect((await events(run)).map((e) => e.event_type)).toEqual(['START', 'OTHER', 'OTHER', 'OTHER', 'COMPLETE']);
      // The same update again (a client retrying): that very event, stored once.
      await change(ctx().db, run, 'status', T0 + 61_000);
      expect((await events(run)).length).toBe(5);
    });

    it('metrics once it ended: an OTHER event; the state stays COMPLETED', async () => {
      await logMetric(ctx().db, run, 'test_auc', 0.88, 0, T0 + 89_000);
      await logMetric(ctx().db, run, 'test_loss', Number.NaN, 0, T0 + 90_000);
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r.state).toBe('COMPLETED');
      expect(r.facets.mlflow_metrics.metrics.map((m: Json) => [m.key, m.value])).toEqual([
        ['auc', 0.91],
        ['loss', 0.2],
        ['test_auc', 0.88],
        ['test_loss', 'NaN'],
      ]);
      expect((await events(run)).at(-1)!.event_type).toBe('OTHER');
    });

    it('a change stamped before the latest event (a client clock behind) comes after it, so its snapshot wins', async () => {
      await setTags(ctx().db, run, { late: 'yes' }, T0 + 80_000);
      const after = await events(run);
      expect(after.at(-1)!.event_time).toBe(new Date(T0 + 90_001).toISOString());
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r.facets.tags.tags).toContainEqual({ key: 'late', value: 'yes', source: 'MLFLOW' });
    });

    it('deleted: an OTHER event, the mlflow facet says so', async () => {
      await change(ctx().db, run, 'lifecycle', T0 + 100_000, (query) =>
        query(sql`update mlflow_runs set lifecycle_stage = 'deleted', deleted_time = ${T0 + 100_000} where run_uuid = ${run}`),
      );
      const r = await get(`/api/v1/jobs/runs/${uuid}`);
      expect(r.facets.mlflow.lifecycle_stage).toBe('deleted');
      expect(r.state).toBe('COMPLETED');
    });

    it('every event is valid OpenLineage with no warning', async () => {
      for (const e of await events(run)) {
        const prepared = prepareEvent(e.raw, { strict: true });
        expect(prepared.ok ? prepared.warnings : prepared.errors).toEqual([]);
        expect(e.producer).toBe(MLFLOW_PRODUCER);
      }
    });
  });

  describe('states', () => {
    it.each([
      ['SCHEDULED', 'OTHER', 'RUNNING'],
      ['FAILED', 'FAIL', 'FAILED'],
      ['KILLED', 'ABORT', 'ABORTED'],
    ])('%s: %s, the run %s', async (status, eventType, state) => {
      const run = hexId();
      await createRun(ctx().db, { runUuid: run, experimentId: experiment, experimentName: 'churn', startTime: T0 });
      await setStatus(ctx().db, run, status, status === 'SCHEDULED' ? null : T0 + 5_000, T0 + 5_000);
      expect((await events(run)).map((e) => e.event_type)).toEqual(['START', eventType]);
      const r = await get(`/api/v1/jobs/runs/${olRunId(run)}`);
      expect(r.state).toBe(state);
      expect(r.facets.mlflow.status).toBe(status);
    });

    it('a nested run: the parent run facet names the MLflow parent', async () => {
      const parent = hexId();
      const child = hexId();
      await createRun(ctx().db, { runUuid: parent, experimentId: experiment, experimentName: 'churn', startTime: T0 });
      await createRun(ctx().db, {
        runUuid: child,
        experimentId: experiment,
        experimentName: 'churn',
        startTime: T0 + 10,
        tags: { 'mlflow.parentRunId': parent },
      });
      const r = await get(`/api/v1/jobs/runs/${olRunId(child)}`);
      expect(r.facets.parent).toMatchObject({ run: { runId: olRunId(parent) }, job: { namespace: 'mlflow', name: 'churn' } });
      const children = await get(`/api/v1/jobs/runs/${olRunId(parent)}/children`);
      expect(children.runs.map((c: Json) => c.id)).toEqual([olRunId(child)]);
    });
  });

  describe('sources and outputs', () => {
    it('a Delta table read at its version; a logged model written at its artifact location', async () => {
      const run = hexId();
      await createRun(ctx().db, { runUuid: run, experimentId: experiment, experimentName: 'churn', startTime: T0 });
      await logInputs(
        ctx().db,
        run,
        experiment,
        [
          {
            name: 'orders',
            digest: 'aa11',
            sourceType: 'delta_table',
            source: { delta_table_name: 'main.sales.orders', delta_table_version: 12 },
          },
        ],
        T0 + 1_000,
      );
      const modelId = `m-${hexId()}`;
      await logModel(ctx().db, run, experiment, modelId, `s3://mlflow-artifacts/${experiment}/models/${modelId}/artifacts`, T0 + 2_000);
      const r = await get(`/api/v1/jobs/runs/${olRunId(run)}`);
      expect(r.inputDatasetVersions[0].datasetVersionId).toMatchObject({ namespace: 'unity-catalog', name: 'main.sales.orders' });
      expect(r.inputDatasetVersions[0].facets.mlflow_dataset).toMatchObject({ digest: 'aa11', source_type: 'delta_table' });
      const [io] = await select<{ version: string }>(
        ctx().db,
        sql`select version from run_io where run_id = ${olRunId(run)}::uuid and direction = 'in'`,
      );
      expect(io!.version).toBe('12');
      expect(r.outputDatasetVersions[0].datasetVersionId).toMatchObject({
        namespace: 's3://mlflow-artifacts',
        name: `${experiment}/models/${modelId}/artifacts`,
      });
      for (const e of await events(run)) expect(prepareEvent(e.raw, { strict: true }).ok).toBe(true);
    });
  });

  describe('a version registered from an MLflow run', () => {
    const run = hexId();
    const modelId = `m-${hexId()}`;

    async function mlflow(path: string, body: Json) {
      const res = await ctx().app.request(`/api/2.0/mlflow/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pedigree-actor': 'alice' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as Json;
      expect(res.status, JSON.stringify(answer)).toBe(200);
      return answer;
    }

    beforeAll(async () => {
      const db = ctx().db;
      await createRun(db, { runUuid: run, experimentId: experiment, experimentName: 'churn', startTime: T0, tags: SOURCE_TAGS });
      await logParams(db, run, { lr: '0.05' }, T0 + 1_000);
      await logInputs(db, run, experiment, [USERS], T0 + 2_000);
      await logModel(db, run, experiment, modelId, `s3://mlflow-artifacts/${experiment}/models/${modelId}/artifacts`, T0 + 3_000);
      await setStatus(db, run, 'FINISHED', T0 + 60_000, T0 + 60_000);
      await mlflow('registered-models/create', { name: 'churn-clf' });
    });

    it('by run_id (32 hex digits): linked by run_id to its OpenLineage run; question 1 answers its data versions, commit and parameters', async () => {
      const v = await mlflow('model-versions/create', { name: 'churn-clf', source: `models:/${modelId}`, run_id: run, model_id: modelId });
      expect(v.model_version).toMatchObject({ version: '1', run_id: run });
      const lineage = await get('/api/v1/models/churn-clf/versions/1/lineage');
      expect(lineage.links).toEqual([
        expect.objectContaining({
          kind: 'run',
          method: 'run_id',
          status: 'confirmed',
          runId: olRunId(run),
          evidence: { runId: run, source: `models:/${modelId}`, modelId, modelSourceRunId: run },
        }),
      ]);
      expect(lineage.trainingRuns).toHaveLength(1);
      const [training] = lineage.trainingRuns;
      expect(training).toMatchObject({
        runId: olRunId(run),
        state: 'COMPLETED',
        job: { namespace: 'mlflow', name: 'churn' },
        inputs: [
          {
            namespace: 's3://warehouse',
            name: 'users/v3.0',
            version: '3f2a9c1b',
            fields: [
              { name: 'user_id', type: 'long' },
              { name: 'country', type: 'string' },
            ],
          },
        ],
        outputs: [{ namespace: 's3://mlflow-artifacts', name: `${experiment}/models/${modelId}/artifacts` }],
        code: { gitCommit: COMMIT, repoUrl: 'git@github.com:acme/churn.git', path: 'train.py', branch: 'main' },
        parameters: { lr: '0.05' },
      });
      expect(training.tags['mlflow.source.git.commit']).toBe(COMMIT);
    });

    it('by model_id alone (models:/m-…, no run_id): linked through the logged model to its source run', async () => {
      const v = await mlflow('model-versions/create', { name: 'churn-clf', source: `models:/${modelId}`, model_id: modelId });
      expect(v.model_version.version).toBe('2');
      const lineage = await get('/api/v1/models/churn-clf/versions/2/lineage');
      expect(lineage.links).toEqual([
        expect.objectContaining({
          method: 'run_id',
          status: 'confirmed',
          runId: olRunId(run),
          evidence: { runId: null, source: `models:/${modelId}`, modelId, modelSourceRunId: run },
        }),
      ]);
      expect(lineage.trainingRuns.map((r: Json) => r.runId)).toEqual([olRunId(run)]);
    });
  });

  describe('one training seen by Airflow and by MLflow: one training run', () => {
    const ORDERS_NS = 'postgres://warehouse:5432';

    /** An Airflow task run reading orders 2.1 and writing the model, tagged with the MLflow run it logged to. */
    function airflowEvents(runId: string, mlflowRunId: string, time: number) {
      const facet = (name: string, version: string) => ({
        _producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.0.0',
        _schemaURL: `https://openlineage.io/spec/facets/${version}/${name}.json#/$defs/${name}`,
      });
      return ['START', 'COMPLETE'].map((eventType, i) => ({
        eventType,
        eventTime: new Date(time + i * 120_000).toISOString(),
        producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.0.0',
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        run: {
          runId,
          facets: {
            tags: {
              ...facet('TagsRunFacet', '1-0-0'),
              tags: [
                { key: 'mlflow.run_id', value: mlflowRunId, source: 'USER' },
                { key: 'triggered_by', value: 'airflow:retrain_churn', source: 'USER' },
              ],
            },
          },
        },
        job: { namespace: 'airflow', name: 'retrain_churn.fit' },
        inputs: [
          {
            namespace: ORDERS_NS,
            name: 'public.orders',
            facets: { version: { ...facet('DatasetVersionDatasetFacet', '1-0-1'), datasetVersion: '2.1' } },
          },
        ],
        outputs: [{ namespace: 's3://models', name: `churn/${mlflowRunId}` }],
      }));
    }

    async function mlflowRun(run: string) {
      const db = ctx().db;
      await createRun(db, { runUuid: run, experimentId: experiment, experimentName: 'churn', startTime: T0, tags: SOURCE_TAGS });
      await logParams(db, run, { lr: '0.1' }, T0 + 1_000);
      await logInputs(db, run, experiment, [USERS], T0 + 2_000);
      await setStatus(db, run, 'FINISHED', T0 + 60_000, T0 + 60_000);
    }

    async function register(run: string) {
      const res = await ctx().app.request('/api/2.0/mlflow/model-versions/create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pedigree-actor': 'alice' },
        body: JSON.stringify({ name: 'churn-af', source: `runs:/${run}/model`, run_id: run }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json).model_version.version as string;
    }

    beforeAll(async () => {
      const res = await ctx().app.request('/api/2.0/mlflow/registered-models/create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pedigree-actor': 'alice' },
        body: JSON.stringify({ name: 'churn-af' }),
      });
      expect(res.status).toBe(200);
    });

    async function postAll(list: unknown[]) {
      for (const e of list) expect((await post(ctx().app, e)).status).toBe(201);
    }

    /** Question 1, the links, question 2 and the graph of a version: one training run, the MLflow one, with the Airflow run's data merged in. */
    async function expectOneTraining(version: string, run: string, airflowRun: string) {
      const lineage = await get(`/api/v1/models/churn-af/versions/${version}/lineage`);
      expect(lineage.trainingRuns).toHaveLength(1);
      expect(lineage.trainingRuns[0]).toMatchObject({
        runId: olRunId(run),
        job: { namespace: 'mlflow', name: 'churn' },
        parameters: { lr: '0.1' },
        code: { gitCommit: COMMIT },
        sameTraining: [{ runId: airflowRun, job: { namespace: 'airflow', name: 'retrain_churn.fit' } }],
      });
      expect(lineage.trainingRuns[0].tags).toMatchObject({ triggered_by: 'airflow:retrain_churn', 'mlflow.source.git.commit': COMMIT });
      expect(lineage.trainingRuns[0].inputs.map((d: Json) => [d.namespace, d.name, d.version])).toEqual([
        [ORDERS_NS, 'public.orders', '2.1'],
        ['s3://warehouse', 'users/v3.0', '3f2a9c1b'],
      ]);
      expect(lineage.trainingRuns[0].outputs.map((d: Json) => [d.namespace, d.name])).toEqual([['s3://models', `churn/${run}`]]);
      const runLinks = lineage.links.filter((l: Json) => l.kind === 'run');
      expect(runLinks).toEqual([
        expect.objectContaining({
          method: 'run_id',
          status: 'confirmed',
          runId: olRunId(run),
          evidence: expect.objectContaining({
            sameRuns: [airflowRun],
            sameTraining: [{ runId: airflowRun, registryRunId: run, facet: 'tags' }],
          }),
        }),
      ]);
      expect(lineage.upstream.graph.map((n: Json) => n.id)).toContain('job:airflow:retrain_churn.fit');

      // Question 2: found through the Airflow run's read, named by the one training run.
      const q2 = await get(`/api/v1/namespaces/${encodeURIComponent(ORDERS_NS)}/datasets/public.orders/models?version=2.1`);
      const mine = q2.models.filter((m: Json) => m.model === 'churn-af' && String(m.version) === version);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ trainingRunId: olRunId(run), direct: true });
      expect(mine[0].path.at(-1)).toMatchObject({ kind: 'job', namespace: 'airflow', name: 'retrain_churn.fit', runId: airflowRun });

      // The graph: the version drawn from both jobs, trained by one run.
      const graph = await get(`/api/v1/lineage?nodeId=model:churn-af:${version}&withModels=true`);
      const node = graph.graph.find((n: Json) => n.id === `model:churn-af:${version}`);
      expect(node.data.trainingRunIds).toEqual([olRunId(run)]);
      expect(node.inEdges.map((e: Json) => e.origin).sort()).toEqual(['job:airflow:retrain_churn.fit', 'job:mlflow:churn']);
    }

    it('the Airflow run arrives before the MLflow run is created', async () => {
      const run = hexId();
      const airflowRun = randomUUID();
      await postAll(airflowEvents(airflowRun, run, T0 - 60_000));
      await mlflowRun(run);
      const version = await register(run);
      await expectOneTraining(version, run, airflowRun);
    });

    it('the Airflow run arrives after the version was registered', async () => {
      const run = hexId();
      const airflowRun = randomUUID();
      await mlflowRun(run);
      const version = await register(run);
      const before = await get(`/api/v1/models/churn-af/versions/${version}/lineage`);
      expect(before.trainingRuns.map((r: Json) => [r.runId, r.sameTraining])).toEqual([[olRunId(run), []]]);
      await postAll(airflowEvents(airflowRun, run, T0 + 120_000));
      await expectOneTraining(version, run, airflowRun);
    });

    it('the diff compares one training run with one', async () => {
      const diff = await get('/api/v1/models/churn-af/diff?from=1&to=2');
      expect(diff.from.trainingRunIds).toHaveLength(1);
      expect(diff.to.trainingRunIds).toHaveLength(1);
      expect(diff.inputs.map((i: Json) => [i.name, i.change])).toEqual([
        ['public.orders', 'unchanged'],
        ['users/v3.0', 'unchanged'],
      ]);
      expect(diff.parameters).toEqual([]);
    });

    it('a rejected MLflow link: the Airflow run is a training run of its own again', async () => {
      const lineage = await get('/api/v1/models/churn-af/versions/1/lineage');
      const mlflowLink = lineage.links.find((l: Json) => l.method === 'run_id');
      const res = await ctx().app.request(`/api/v1/models/churn-af/versions/1/links/${mlflowLink.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pedigree-actor': 'bob' },
        body: JSON.stringify({ status: 'rejected' }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const after = await get('/api/v1/models/churn-af/versions/1/lineage');
      expect(after.trainingRuns.map((r: Json) => r.job.namespace)).toEqual(['airflow']);
      expect(after.links.filter((l: Json) => l.kind === 'run').map((l: Json) => [l.method, l.status])).toEqual([
        ['run_id', 'rejected'],
        ['registry_run_id', 'confirmed'],
      ]);
    });
  });

  it('replay rebuilds the same runs from the stored events', async () => {
    const runs = () =>
      select<{ id: string; state: string; facets: number; io: number }>(
        ctx().db,
        sql`select r.id, r.state, (select count(*)::int from facets f where f.run_id = r.id) as facets,
          (select count(*)::int from run_io io where io.run_id = r.id) as io
        from runs r where r.namespace = 'mlflow' order by r.id`,
      );
    const before = await runs();
    const answers = await Promise.all(before.map((r) => get(`/api/v1/jobs/runs/${r.id}`)));
    expect(before.length).toBeGreaterThanOrEqual(5);
    await replayEvents(ctx().db, { rebuild: true });
    expect(await runs()).toEqual(before);
    expect(await Promise.all(before.map((r) => get(`/api/v1/jobs/runs/${r.id}`)))).toEqual(answers);
  });
});
