import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { runModelCommand } from '../src/cli-models';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { marquezErrors } from './support/marquez-openapi';
import {
  etlEvents,
  ORDERS,
  ORDERS_V21_FIELDS,
  ORDERS_V22_FIELDS,
  TRAINING_V1,
  TRAINING_V2,
  trainingEvents,
  USERS,
} from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/**
 * The seed story, through HTTP only: `clf` version 1 trained by run exp-47b on orders v2.1 and users v3.0,
 * promoted and deployed; version 2 trained on orders v2.2 (a column dropped) with a new commit and a
 * changed learning rate, promoted in turn. Actors name themselves (authentication off).
 */
describe.each(databases)('models on $name', (database) => {
  const ctx = useDatabase(database);
  const run1 = randomUUID();
  const run2 = randomUUID();

  async function call(method: string, path: string, body?: unknown, actor = 'alice') {
    const res = await ctx().app.request(path, {
      method,
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, type: res.headers.get('content-type') };
  }
  const ok = async (method: string, path: string, body?: unknown, actor?: string) => {
    const r = await call(method, path, body, actor);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 400)}`).toBeLessThan(300);
    return r.body;
  };
  const mlflow = (method: string, path: string, body?: unknown, actor?: string) => ok(method, `/api/2.0/mlflow/${path}`, body, actor);
  const events = async (list: unknown[]) => {
    for (const e of list) {
      const res = await post(ctx().app, e);
      expect(res.status, await res.clone().text()).toBe(201);
    }
  };
  const promote = async (version: number) => {
    await ok('POST', `/api/v1/models/clf/versions/${version}/approvals`, { comment: 'metrics reviewed' }, 'bob');
    await ok('PUT', `/api/v1/models/clf/versions/${version}/card`, {
      markdown: `# clf v${version}\n\nChurn classifier.`,
      fields: { intendedUse: 'churn scoring', metrics: { val_auc: version === 1 ? 0.91 : 0.86 } },
    });
    return mlflow('POST', 'model-versions/transition-stage', {
      name: 'clf',
      version: String(version),
      stage: 'Production',
      archive_existing_versions: true,
    });
  };

  beforeAll(async () => {
    await events(etlEvents(randomUUID(), '2026-03-01T01:00:00Z', '2.1', ORDERS_V21_FIELDS));
    await events(trainingEvents({ runId: run1, ...TRAINING_V1 }));
    await mlflow('POST', 'registered-models/create', {
      name: 'clf',
      description: 'churn classifier',
      tags: [{ key: 'team', value: 'growth' }],
    });
    const v1 = await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/2.1', run_id: 'exp-47b' });
    expect(v1.model_version).toMatchObject({ name: 'clf', version: '1', current_stage: 'None', user_id: 'alice', status: 'READY' });
    await mlflow('POST', 'model-versions/transition-stage', {
      name: 'clf',
      version: '1',
      stage: 'Staging',
      archive_existing_versions: false,
    });
    const moved = await promote(1);
    expect(moved.model_version.current_stage).toBe('Production');
    await ok('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf', version: '1', environment: 'production' }, 'carol');
    await mlflow('POST', 'registered-models/alias', { name: 'clf', alias: 'champion', version: '1' });

    // Version 2: orders v2.2 dropped `discount`, a new commit, a changed learning rate.
    await events(etlEvents(randomUUID(), '2026-04-01T01:00:00Z', '2.2', ORDERS_V22_FIELDS));
    await events(trainingEvents({ runId: run2, ...TRAINING_V2 }));
    await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/2.2', run_id: 'exp-52c' });
    await promote(2);
    await ok('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'models:/clf/2', environment: 'production' }, 'carol');
    await mlflow('POST', 'registered-models/alias', { name: 'clf', alias: 'champion', version: '2' });
  });

  it('answers which data, code and parameters trained a version (question 1)', async () => {
    const q1 = await ok('GET', '/api/v1/models/clf/versions/1/lineage?depth=5');
    expect(q1.model).toMatchObject({ name: 'clf', version: 1, stage: 'Archived', registeredBy: 'alice' });
    expect(q1.trainingRuns).toHaveLength(1);
    const run = q1.trainingRuns[0];
    expect(run).toMatchObject({ runId: run1, state: 'COMPLETED', job: { namespace: 'ml', name: 'train_clf' } });
    expect(run.inputs.map((i: Json) => [i.name, i.version])).toEqual([
      [ORDERS.name, '2.1'],
      [USERS.name, '3.0'],
    ]);
    expect(run.inputs[0].fields.map((f: Json) => f.name)).toEqual(ORDERS_V21_FIELDS);
    expect(run.code).toMatchObject({ gitCommit: 'a1b2c3d', repoUrl: 'https://github.com/acme/clf', path: 'train.py' });
    expect(run.parameters).toEqual({ learning_rate: '0.01', max_depth: '6' });
    expect(run.tags).toMatchObject({ 'mlflow.run_id': 'exp-47b', git_commit: 'a1b2c3d' });
    // Found by the registry run id on the run's tags facet, and by the artifact: one link, the strongest.
    const runLinks = q1.links.filter((l: Json) => l.kind === 'run');
    expect(runLinks).toEqual([expect.objectContaining({ runId: run1, method: 'registry_run_id', status: 'confirmed' })]);
    // The compound tag names dataset versions: candidates, never confirmed by themselves.
    const tagged = q1.links.filter((l: Json) => l.method === 'dataset_version_tag');
    expect(tagged.map((l: Json) => [l.dataset.name, l.dataset.version, l.status]).sort()).toEqual([
      [ORDERS.name, '2.1', 'candidate'],
      [USERS.name, '3.0', 'candidate'],
    ]);
    // Upstream: the training job, its inputs, and the ETL job that wrote them.
    const ids = q1.upstream.graph.map((n: Json) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['job:ml:train_clf', `dataset:${ORDERS.namespace}:${ORDERS.name}`, 'job:etl:build_tables']));
    // A version named by alias and by stage answers the same as by number.
    expect((await ok('GET', '/api/v1/models/clf/versions/@champion/lineage')).model.version).toBe(2);
    expect((await ok('GET', '/api/v1/models/clf/versions/Production/lineage')).model.version).toBe(2);
  });

  it('answers which models were trained on a dataset, at a version, and which are in production (question 2)', async () => {
    const ordersPath = `/api/v1/namespaces/${encodeURIComponent(ORDERS.namespace)}/datasets/${encodeURIComponent(ORDERS.name)}/models`;
    const all = await ok('GET', ordersPath);
    const clf = all.models.filter((m: Json) => m.model === 'clf');
    expect(clf.slice(0, 2).map((m: Json) => [m.version, m.stage, m.inProduction, m.deployed])).toEqual([
      [2, 'Production', true, true],
      [1, 'Archived', false, false],
    ]);
    expect(clf[0].deployments).toEqual([expect.objectContaining({ endpoint: '/predict', environment: 'production' })]);
    expect(clf[0]).toMatchObject({ trainingRunId: run2, direct: true, aliases: ['champion'] });
    expect(clf[0].path).toEqual([
      { kind: 'dataset', namespace: ORDERS.namespace, name: ORDERS.name, version: '2.2' },
      { kind: 'job', namespace: 'ml', name: 'train_clf', runId: run2 },
    ]);
    // At a version: only what was trained on it.
    const v21 = await ok('GET', `${ordersPath}?version=2.1`);
    expect(v21.models.map((m: Json) => [m.model, m.version])).toEqual([['clf', 1]]);
    // Transitively: the raw file the ETL job read reaches the models through orders.
    const raw = await ok(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent('s3://raw')}/datasets/${encodeURIComponent('/orders')}/models?version=&transitive=true`,
    );
    const fromRaw = raw.models.find((m: Json) => m.model === 'clf' && m.version === 2);
    expect(fromRaw).toMatchObject({ direct: false });
    expect(fromRaw.path.map((p: Json) => `${p.kind}:${p.name}`)).toEqual([
      'dataset:/orders',
      'job:build_tables',
      `dataset:${ORDERS.name}`,
      'job:train_clf',
    ]);
    const direct = await ok(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent('s3://raw')}/datasets/${encodeURIComponent('/orders')}/models?transitive=false`,
    );
    expect(direct.models).toEqual([]);
    expect((await call('GET', `/api/v1/namespaces/nope/datasets/x/models`)).status).toBe(404);
  });

  it('explains a regression: the diff names the orders version, the dropped column, the commit and the parameter (question 3)', async () => {
    // Without from: against the previous version that reached Production.
    const diff = await ok('GET', '/api/v1/models/clf/diff?to=2');
    expect(diff).toMatchObject({
      baseline: 'last_production',
      from: { version: 1, trainingRunIds: [run1] },
      to: { version: 2, trainingRunIds: [run2] },
    });
    const orders = diff.inputs.find((i: Json) => i.name === ORDERS.name);
    expect(orders).toMatchObject({
      change: 'version_changed',
      from: '2.1',
      to: '2.2',
      schema: { removed: [{ name: 'discount', type: 'STRING' }], added: [], retyped: [] },
    });
    expect(diff.inputs.find((i: Json) => i.name === USERS.name)).toMatchObject({ change: 'unchanged', schema: null });
    expect(diff.code).toMatchObject({ changed: true, from: { gitCommit: 'a1b2c3d' }, to: { gitCommit: 'e4f5a6b' } });
    expect(diff.parameters).toEqual([{ name: 'learning_rate', from: '0.01', to: '0.05' }]);
    expect(diff.metrics).toEqual([{ name: 'val_auc', from: 0.91, to: 0.86, delta: -0.05 }]);
    // Ranked, most likely cause first: the dropped column, then the code, then the parameter.
    expect(diff.causes.map((c: Json) => c.kind)).toEqual(['schema', 'code', 'parameters']);
    expect(diff.causes[0].summary).toContain('2.1 -> 2.2: column discount dropped');
    expect(diff.causes[1].summary).toBe('code a1b2c3d -> e4f5a6b');
    expect(diff.causes[2].summary).toBe('parameter learning_rate 0.01 -> 0.05');
    // Named explicitly, by alias.
    expect((await ok('GET', '/api/v1/models/clf/diff?from=1&to=@champion')).baseline).toBe('requested');
    expect((await call('GET', '/api/v1/models/clf/diff?to=1')).status).toBe(404);
  });

  it('puts models in the lineage graph: model:<name>:<version> nodes, from their training job, to deployments', async () => {
    const fromModel = await ok('GET', '/api/v1/lineage?nodeId=model:clf:2&depth=5');
    const byId = new Map(fromModel.graph.map((n: Json) => [n.id, n]));
    expect(byId.get('model:clf:2')).toMatchObject({
      type: 'MODEL',
      data: { name: 'clf', version: 2, stage: 'Production', trainingRunIds: [run2] },
      inEdges: [{ origin: 'job:ml:train_clf', destination: 'model:clf:2' }],
      outEdges: [{ origin: 'model:clf:2', destination: 'deployment:production:/predict' }],
    });
    expect(byId.get('deployment:production:/predict')).toMatchObject({ type: 'DEPLOYMENT', data: { model: 'clf', version: 2 } });
    expect([...byId.keys()]).toEqual(
      expect.arrayContaining(['job:etl:build_tables', `dataset:${ORDERS.namespace}:${ORDERS.name}`, 'model:clf:1']),
    );
    // Marquez clients and the web UI know only DATASET and JOB nodes: there a version is a dataset of the
    // namespace `models`, which the dataset endpoints answer for, in Marquez's shapes.
    const node = `dataset:${ORDERS.namespace}:${ORDERS.name}`;
    const plain = await ok('GET', `/api/v1/lineage?nodeId=${encodeURIComponent(node)}&depth=2`);
    expect(plain.graph.every((n: Json) => n.type === 'DATASET' || n.type === 'JOB')).toBe(true);
    expect(marquezErrors('LineageGraph', plain)).toEqual([]);
    const asDataset = plain.graph.find((n: Json) => n.id === 'dataset:models:clf/2');
    expect(asDataset).toMatchObject({
      type: 'DATASET',
      data: { namespace: 'models', name: 'clf/2', type: 'MODEL', model: { stage: 'Production' } },
      inEdges: [{ origin: 'job:ml:train_clf', destination: 'dataset:models:clf/2' }],
    });
    const dataset = await ok('GET', '/api/v1/namespaces/models/datasets/clf%2F2');
    expect(marquezErrors('Dataset', dataset)).toEqual([]);
    const versions = await ok('GET', '/api/v1/namespaces/models/datasets/clf%2F2/versions');
    expect(marquezErrors('DatasetVersionList', versions)).toEqual([]);
    expect(versions.versions.map((x: Json) => x.datasetVersion)).toEqual(['2']);
    expect(await ok('GET', `/api/v1/namespaces/models/datasets/clf%2F2/versions/${versions.versions[0].version}`)).toEqual(
      versions.versions[0],
    );
    const fromIt = await ok('GET', `/api/v1/lineage?nodeId=${encodeURIComponent('dataset:models:clf/2')}&depth=2`);
    expect(fromIt.graph.map((n: Json) => n.id)).toEqual(expect.arrayContaining(['dataset:models:clf/2', 'job:ml:train_clf']));
    expect((await call('GET', '/api/v1/namespaces/models/datasets/clf%2F99')).status).toBe(404);
    const withModels = await ok('GET', `/api/v1/lineage?nodeId=${encodeURIComponent(node)}&depth=2&withModels=true`);
    expect(withModels.graph.filter((n: Json) => n.type === 'MODEL').map((n: Json) => n.id)).toEqual(
      expect.arrayContaining(['model:clf:1', 'model:clf:2']),
    );
    expect((await call('GET', '/api/v1/lineage?nodeId=model:clf:99')).status).toBe(404);
  });

  it('answers whether a version is approved for production, by whom, when (question 4)', async () => {
    const q4 = await ok('GET', '/api/v1/models/clf/versions/2/approval');
    expect(q4.approvedForProduction).toBe(true);
    expect(q4.model).toMatchObject({ stage: 'Production', aliases: ['champion'] });
    expect(q4.policy.passes).toBe(true);
    expect(q4.approvals).toEqual([expect.objectContaining({ actor: 'bob', comment: 'metrics reviewed' })]);
    const history = q4.history.filter((h: Json) => h.version === 2).map((h: Json) => [h.action, h.actor]);
    expect(history).toEqual([
      ['version.registered', 'alice'],
      ['version.approved', 'bob'],
      ['card.updated', 'alice'],
      ['version.stage_changed', 'alice'],
      ['deployment.created', 'carol'],
      ['alias.set', 'alice'],
    ]);
    expect(q4.deployments).toEqual([expect.objectContaining({ endpoint: '/predict', version: 2, current: true, actor: 'carol' })]);
    // Version 1 was archived by version 2's promotion, and its deployment is history now.
    const old = await ok('GET', '/api/v1/models/clf/versions/1/approval');
    expect(old.approvedForProduction).toBe(false);
    expect(old.model.stage).toBe('Archived');
    expect(old.history.filter((h: Json) => h.version === 1).at(-1)).toMatchObject({
      action: 'version.stage_changed',
      detail: { to: 'Archived', archivedBy: 2 },
    });
    expect(old.deployments).toEqual([expect.objectContaining({ version: 1, current: false })]);
  });

  it("gives a model's whole history in one read: every version's entries and the model's own, oldest first, paged", async () => {
    const all = await ok('GET', '/api/v1/models/clf/history');
    expect(all.model).toBe('clf');
    expect(all.totalCount).toBe(all.history.length);
    const seqs = all.history.map((h: Json) => h.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
    // The same entries as each version's own history, in one answer.
    for (const version of [1, 2]) {
      const q4 = await ok('GET', `/api/v1/models/clf/versions/${version}/approval`);
      expect(all.history.filter((h: Json) => h.version === version || h.version === null)).toEqual(q4.history);
    }
    const page = await ok('GET', '/api/v1/models/clf/history?limit=2&offset=1');
    expect(page.history).toEqual(all.history.slice(1, 3));
    expect(page.totalCount).toBe(all.totalCount);
    const unknown = await call('GET', '/api/v1/models/no-such-model/history');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/problem\+json/);
    expect((await call('GET', '/api/v1/models/clf/history?limit=0')).body.errors).toEqual([
      expect.objectContaining({ pointer: '/query/limit' }),
    ]);
  });

  it('refuses Production naming each unmet rule, as problem+json and in MLflow form', async () => {
    const run = randomUUID();
    await events(
      trainingEvents({
        runId: run,
        mlflowRunId: 'exp-60a',
        time: '2026-05-01T06:00:00Z',
        ordersVersion: '2.2',
        ordersFields: ORDERS_V22_FIELDS,
        commit: 'ffff000',
        learningRate: '0.1',
        artifact: { namespace: 's3://models', name: '/clf/3' },
        omitTags: ['triggered_by'],
      }),
    );
    const v = await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/3', run_id: run });
    const version = v.model_version.version;
    const refused = await call('POST', `/api/v1/models/clf/versions/${version}/stage`, { stage: 'Production' });
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.errors.map((e: Json) => e.pointer)).toEqual(['/policy/required_tags', '/policy/approvals', '/policy/model_card']);
    expect(refused.body.errors[0].message).toContain('triggered_by');
    const viaMlflow = await call('POST', '/api/2.0/mlflow/model-versions/transition-stage', {
      name: 'clf',
      version,
      stage: 'Production',
      archive_existing_versions: false,
    });
    expect(viaMlflow.status).toBe(409);
    expect(viaMlflow.body).toMatchObject({ error_code: 'INVALID_STATE' });
    expect(viaMlflow.body.message).toContain('approval');
    // The registrant cannot approve their own version; nothing moved.
    expect((await call('POST', `/api/v1/models/clf/versions/${version}/approvals`, {}, 'alice')).status).toBe(403);
    expect((await ok('GET', `/api/v1/models/clf/versions/${version}/approval`)).model.stage).toBe('None');
  });

  it('links a version registered before its training events arrive, and the other way round', async () => {
    const early = randomUUID();
    const v = await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/early', run_id: early });
    const path = `/api/v1/models/clf/versions/${v.model_version.version}/links`;
    expect((await ok('GET', path)).links.filter((l: Json) => l.kind === 'run')).toEqual([]);
    await events(
      trainingEvents({
        runId: early,
        mlflowRunId: 'exp-early',
        time: '2026-06-01T06:00:00Z',
        ordersVersion: '2.2',
        ordersFields: ORDERS_V22_FIELDS,
        commit: 'abc0001',
        learningRate: '0.02',
        artifact: { namespace: 's3://models', name: 'clf/early' },
      }),
    );
    const links = (await ok('GET', path)).links.filter((l: Json) => l.kind === 'run');
    // Found by its run id (and by the artifact, written without the leading slash): one confirmed link.
    expect(links).toEqual([expect.objectContaining({ runId: early, method: 'run_id', status: 'confirmed', confidence: 1 })]);
  });

  it('keeps candidate links candidates until a human confirms or rejects one, and records who did', async () => {
    // Two runs wrote the same artifact: artifact identity alone cannot tell which trained the version.
    for (const time of ['2026-07-01T06:00:00Z', '2026-07-02T06:00:00Z']) {
      await events(
        trainingEvents({
          runId: randomUUID(),
          mlflowRunId: `exp-${time.slice(8, 10)}`,
          time,
          ordersVersion: '2.2',
          ordersFields: ORDERS_V22_FIELDS,
          commit: 'abc0002',
          learningRate: '0.02',
          artifact: { namespace: 's3://models', name: '/clf/shared' },
        }),
      );
    }
    const v = await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/shared/' });
    const base = `/api/v1/models/clf/versions/${v.model_version.version}`;
    const candidates = (await ok('GET', `${base}/links`)).links.filter((l: Json) => l.kind === 'run');
    expect(candidates.map((l: Json) => [l.method, l.status])).toEqual([
      ['artifact', 'candidate'],
      ['artifact', 'candidate'],
    ]);
    expect((await ok('GET', `${base}/lineage`)).trainingRuns).toEqual([]);
    const decided = await ok('POST', `${base}/links/${candidates[1].id}`, { status: 'confirmed', comment: 'the later run' }, 'dana');
    expect(decided).toMatchObject({ status: 'confirmed', decision: { actor: 'dana', comment: 'the later run' } });
    await ok('POST', `${base}/links/${candidates[0].id}`, { status: 'rejected' }, 'dana');
    const q1 = await ok('GET', `${base}/lineage`);
    expect(q1.trainingRuns.map((r: Json) => r.runId)).toEqual([candidates[1].runId]);
    const history = (await ok('GET', `${base}/approval`)).history.map((h: Json) => [h.action, h.actor]);
    expect(history).toEqual(
      expect.arrayContaining([
        ['link.confirmed', 'dana'],
        ['link.rejected', 'dana'],
      ]),
    );
  });

  it('answers the same four questions from the CLI, for people and as JSON, with exit codes for CI', async () => {
    const server = serve({ fetch: ctx().app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const env = { PEDIGREE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runModelCommand(argv[0]!, argv.slice(1), env, (s) => lines.push(s));
      return { code, text: lines.join('\n') };
    };
    try {
      const lineage = await cli('lineage', 'clf', '1');
      expect(lineage.code).toBe(0);
      expect(lineage.text).toContain(`${ORDERS.namespace}:${ORDERS.name} @ 2.1`);
      expect(lineage.text).toContain('code: a1b2c3d');
      expect(lineage.text).toContain('learning_rate=0.01');
      const of = await cli('models-of', ORDERS.namespace, ORDERS.name, '--version', '2.2');
      expect(of.text).toContain('clf version 2: IN PRODUCTION, deployed at /predict (production)');
      const diff = await cli('diff', 'clf', '--to', '2');
      expect(diff.text.split('\n').filter((l) => /^ {2}\d\./.test(l))).toEqual([
        `  1. [schema] ${ORDERS.namespace}:${ORDERS.name} 2.1 -> 2.2: column discount dropped`,
        '  2. [code] code a1b2c3d -> e4f5a6b',
        '  3. [parameters] parameter learning_rate 0.01 -> 0.05',
      ]);
      expect(await cli('approval', 'clf', '2')).toMatchObject({ code: 0 });
      expect(await cli('approval', 'clf', '1')).toMatchObject({ code: 1 });
      const json = await cli('approval', 'clf', '@champion', '--json');
      expect(JSON.parse(json.text).approvals[0].actor).toBe('bob');
      expect(await cli('check-run', run1)).toMatchObject({ code: 0 });
      const failing = await cli('check-run', randomUUID());
      expect(failing.code).toBe(1);
      expect(failing.text).toContain('FAIL run_known');
      expect((await cli('lineage', 'clf')).code).toBe(2);
      expect((await cli('lineage', 'nope', '1')).code).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps the audit log append-only in the database itself', async () => {
    const { db } = ctx();
    const [before] = await db.transaction((q) => q<{ n: number }>(sql`select count(*)::int as n from audit_log`));
    expect(before!.n).toBeGreaterThan(10);
    for (const statement of [
      sql`update audit_log set actor = ${'mallory'}`,
      sql`delete from audit_log where actor <> ${'mallory'}`,
      sql`truncate audit_log`,
    ]) {
      await expect(db.transaction((q) => q(statement))).rejects.toThrow(/append-only/);
    }
    const [after] = await db.transaction((q) =>
      q(sql`select count(*)::int as n, count(*) filter (where actor = ${'mallory'})::int as m from audit_log`),
    );
    expect(after).toEqual({ n: before!.n, m: 0 });
  });

  it('computes the same ids in SQL as in the collector (pedigree_id)', async () => {
    const { idOf } = await import('../src/ids');
    const [row] = await ctx().db.transaction((q) =>
      q(sql`select pedigree_id('input_dataset', ${'r1'}::text) as a, pedigree_id('k') as b, pedigree_id('x', 'é', '') as c`),
    );
    expect(row).toEqual({ a: idOf('input_dataset', 'r1'), b: idOf('k'), c: idOf('x', 'é', '') });
  });
});
