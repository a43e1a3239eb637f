import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiCalls } from './support/api-calls';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';
import { post } from './support/events';
import { etlEvents, ORDERS, ORDERS_V21_FIELDS, ORDERS_V22_FIELDS, trainingEvents, USERS } from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

const ids = (graph: Json[]) => graph.map((n) => n.id as string);
const ordersNode = `dataset:${ORDERS.namespace}:${ORDERS.name}`;
const usersNode = `dataset:${USERS.namespace}:${USERS.name}`;

/**
 * The graph API's centres beyond datasets, jobs and models: a deployment (what its endpoint serves now, or
 * served at asOf) and a run (its job at the run's time, with the exact versions it read and wrote). The
 * model story: v1 trained by run 1 on orders 2.1, deployed at /predict; v2 trained a month later by run 2 on
 * orders 2.2, not deployed.
 */
describe.each(databases)('lineage centres on $name', (database) => {
  const ctx = useDatabase(database);
  const { call, mlflow } = apiCalls(() => ctx().app);
  const run1 = randomUUID();
  const run2 = randomUUID();
  let declared: DeclaredAnswers;
  const graph = async (query: string) => {
    const res = await declared.request(ctx().app, `/api/v1/lineage?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as Json).graph as Json[];
  };
  const problem = async (query: string) => {
    const res = await declared.request(ctx().app, `/api/v1/lineage?${query}`);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const events = async (list: unknown[]) => {
    for (const e of list) expect((await post(ctx().app, e)).status).toBe(201);
  };
  const training = (runId: string, mlflowRunId: string, time: string, ordersVersion: string, fields: string[]) =>
    trainingEvents({
      runId,
      mlflowRunId,
      time,
      ordersVersion,
      ordersFields: fields,
      commit: 'a1b2c3d',
      learningRate: '0.01',
      artifact: { namespace: 's3://models', name: `/clf/${ordersVersion}` },
    });

  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
    await events(etlEvents(randomUUID(), '2026-03-01T01:00:00Z', '2.1', ORDERS_V21_FIELDS));
    await events(training(run1, 'exp-47b', '2026-03-01T06:00:00Z', '2.1', ORDERS_V21_FIELDS));
    await mlflow('POST', 'registered-models/create', { name: 'clf' });
    await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/2.1', run_id: 'exp-47b' });
    await call('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf', version: '1', environment: 'production' }, 'carol');
    await events(etlEvents(randomUUID(), '2026-04-01T01:00:00Z', '2.2', ORDERS_V22_FIELDS));
    await events(training(run2, 'exp-52c', '2026-04-01T06:00:00Z', '2.2', ORDERS_V22_FIELDS));
    await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/2.2', run_id: 'exp-52c' });
  });

  it('draws a deployment: the version it serves, that version lineage, the deployment node', async () => {
    const g = await graph(`nodeId=${encodeURIComponent('deployment:production:/predict')}&depth=2&withModels=true`);
    expect(ids(g)).toEqual(
      expect.arrayContaining(['deployment:production:/predict', 'model:clf:1', 'job:ml:train_clf', 'job:etl:build_tables', ordersNode]),
    );
    const deployment = g.find((n) => n.id === 'deployment:production:/predict')!;
    expect(deployment).toMatchObject({
      type: 'DEPLOYMENT',
      data: { endpoint: '/predict', environment: 'production', model: 'clf', version: 1, actor: 'carol' },
      inEdges: [{ origin: 'model:clf:1', destination: 'deployment:production:/predict' }],
    });
    // Downstream of a deployment there is nothing: the answer is its upstream either way.
    const down = await graph(`nodeId=${encodeURIComponent('deployment:production:/predict')}&direction=downstream&withModels=true`);
    expect(ids(down)).toEqual(expect.arrayContaining(['model:clf:1', 'job:ml:train_clf']));
  });

  it('draws a deployment as it was: nothing deployed by then is a 404, an unknown endpoint too', async () => {
    const before = await problem(`nodeId=${encodeURIComponent('deployment:production:/predict')}&asOf=2026-03-15T00:00:00Z`);
    expect(before.status).toBe(404);
    expect(before.body.detail).toMatch(/nothing was deployed/);
    const unknown = await problem(`nodeId=${encodeURIComponent('deployment:production:/nowhere')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/no deployment matches/);
  });

  it('hides model versions trained after asOf, and deployments made after it', async () => {
    const now = await graph(`nodeId=${encodeURIComponent(ordersNode)}&depth=3&withModels=true`);
    expect(ids(now)).toEqual(expect.arrayContaining(['model:clf:1', 'model:clf:2', 'deployment:production:/predict']));
    const march = await graph(`nodeId=${encodeURIComponent(ordersNode)}&depth=3&withModels=true&asOf=2026-03-15T00:00:00Z`);
    expect(ids(march)).toContain('model:clf:1');
    expect(ids(march)).not.toContain('model:clf:2');
    // The deployment was made when the test ran, long after March.
    expect(ids(march)).not.toContain('deployment:production:/predict');
  });

  it('draws a run beside its job, linked to the exact versions it read and wrote, at its time', async () => {
    const g = await graph(`nodeId=run:${run1.toUpperCase()}&depth=2&withModels=true`);
    const run = g.find((n) => n.type === 'RUN')!;
    expect(run.id).toBe(`run:${run1}`);
    expect(run.data).toMatchObject({ id: run1, state: 'COMPLETED', job: { namespace: 'ml', name: 'train_clf' } });
    expect(run.data.inputs.map((i: Json) => [i.name, i.datasetVersion])).toEqual([
      [ORDERS.name, '2.1'],
      [USERS.name, '3.0'],
    ]);
    expect(run.inEdges.map((e: Json) => e.origin)).toEqual([ordersNode, usersNode]);
    expect(run.outEdges.map((e: Json) => e.destination)).toEqual(['dataset:s3://models:/clf/2.1']);
    // At run 1's time, version 2 was not trained yet.
    expect(ids(g)).toEqual(expect.arrayContaining(['job:ml:train_clf', 'model:clf:1', 'job:etl:build_tables']));
    expect(ids(g)).not.toContain('model:clf:2');
    const later = await graph(`nodeId=run:${run2}&depth=2&withModels=true`);
    const run2Node = later.find((n) => n.type === 'RUN')!;
    expect(run2Node.data.inputs.map((i: Json) => i.datasetVersion)).toEqual(['2.2', '3.0']);
    expect(ids(later)).toContain('model:clf:2');
  });

  it('refuses run ids that are not UUIDs and answers 404 for unknown runs', async () => {
    const bad = await problem('nodeId=run:nope');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/query/nodeId' })]);
    expect((await problem(`nodeId=run:${randomUUID()}`)).status).toBe(404);
    const kind = await problem('nodeId=thing:x');
    expect(kind.status).toBe(400);
    expect(kind.body.detail).toMatch(/deployment:, or run:|deployment: or run:/);
  });
});
