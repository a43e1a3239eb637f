import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/client';
import { mlflowRoutes } from '../src/http/routes/mlflow';
import { modelRoutes } from '../src/http/routes/models';
import { ingestPipeline } from '../src/ingest/pipeline';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers, declaredRoutes, type OpenApiDocument } from './support/declared';
import { post } from './support/events';
import { etlEvents, ORDERS, ORDERS_V21_FIELDS, ORDERS_V22_FIELDS, trainingEvents } from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

describe('the check of answers against their declarations', () => {
  // The document is static: no database is touched, so a placeholder stands in for it.
  const db = {} as Db;
  const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(app);
  });

  const version = {
    name: 'clf',
    version: '1',
    creation_timestamp: 1_767_225_600_000,
    last_updated_timestamp: 1_767_225_600_000,
    user_id: 'alice',
    current_stage: 'None',
    description: '',
    source: 's3://models/clf/1',
    run_id: '',
    status: 'READY',
    tags: [{ key: 'k', value: 'v' }],
    run_link: '',
    aliases: [],
  };
  const getVersion = (body: unknown, status = 200, media = 'application/json') =>
    declared.deviations('GET', '/api/2.0/mlflow/model-versions/get', status, media, body);

  it('accepts an answer as declared', () => {
    expect(getVersion({ model_version: version })).toEqual([]);
    expect(getVersion({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such version' }, 404)).toEqual([]);
  });

  it('refuses a member of another type, a missing member, a member not declared, a value not among those declared', () => {
    expect(getVersion({ model_version: { ...version, version: 1 } })).toEqual(['/model_version/version must be string']);
    const { source: _, ...withoutSource } = version;
    expect(getVersion({ model_version: withoutSource })).toEqual(["/model_version must have required property 'source'"]);
    expect(getVersion({ model_version: { ...version, stage: 'None' } })).toEqual([
      '/model_version must NOT have additional properties: stage',
    ]);
    expect(getVersion({ model_version: { ...version, current_stage: 'production' } })).toEqual([
      '/model_version/current_stage must be equal to one of the allowed values',
    ]);
    expect(getVersion({ error_code: 'RESOURCE_DOES_NOT_EXIST' }, 404)).toEqual(["/ must have required property 'message'"]);
  });

  it('refuses null where it is not declared, and accepts it where it is', () => {
    const stage = (body: unknown) => declared.deviations('POST', '/api/v1/models/clf/versions/1/stage', 200, 'application/json', body);
    const native = {
      name: 'clf',
      version: 1,
      source: null,
      runId: null,
      runLink: null,
      modelId: null,
      description: null,
      status: 'READY',
      stage: 'Staging',
      userId: null,
      createdAt: '2026-01-01T00:00:00.000000Z',
      updatedAt: '2026-01-01T00:00:00.000000Z',
      createdMs: 1_767_225_600_000,
      updatedMs: 1_767_225_600_000,
      tags: {},
      aliases: [],
    };
    expect(stage(native)).toEqual([]);
    expect(stage({ ...native, stage: null })).toContain('/stage must be string');
    expect(stage({ ...native, createdAt: 'yesterday' })).toEqual(['/createdAt must match format "date-time"']);
  });

  it('refuses a status, a media type or an operation that is not declared', () => {
    expect(getVersion({ model_version: version }, 201)).toEqual([
      'get /api/2.0/mlflow/model-versions/get declares no 201 answer (only 200, 400, 404)',
    ]);
    expect(getVersion({ model_version: version }, 200, 'application/problem+json')).toEqual([
      'get /api/2.0/mlflow/model-versions/get 200 declares application/json, not application/problem+json',
    ]);
    expect(declared.deviations('PUT', '/api/2.0/mlflow/model-versions/get', 200, 'application/json', {})).toEqual([
      'PUT /api/2.0/mlflow/model-versions/get is not declared',
    ]);
  });

  it('finds the operation of a path by its template', () => {
    expect(declared.operation('GET', '/api/v1/models/clf/versions/%40champion/lineage')).toBe(
      'get /api/v1/models/{name}/versions/{version}/lineage',
    );
    expect(declared.operation('post', '/api/v1/models/clf/versions/1/links/abc')).toBe(
      'post /api/v1/models/{name}/versions/{version}/links/{linkId}',
    );
    expect(declared.operation('DELETE', '/api/2.0/mlflow/registered-models/alias')).toBe('delete /api/2.0/mlflow/registered-models/alias');
  });

  it('fails a request whose answer deviates from its declaration', async () => {
    const wrong = new OpenAPIHono();
    wrong.openapi(
      createRoute({
        method: 'get',
        path: '/thing',
        responses: { 200: { description: 'a thing', content: { 'application/json': { schema: z.object({ n: z.number().int() }) } } } },
      }),
      // An answer that disagrees with the declaration.
      (c) => c.json({ n: 'one' } as never),
    );
    const checked = new DeclaredAnswers(
      wrong.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } }) as unknown as OpenApiDocument,
    );
    await expect(checked.request(wrong, '/thing')).rejects.toThrow(
      /GET \/thing answered 200, unlike its declaration:\n {2}\/n must be integer/,
    );
    expect(checked.succeeded.size).toBe(0);
  });
});

/**
 * The registry's story through HTTP only, every answer checked against its declaration: MLflow's calls as
 * its clients make them, then Pedigree's model API, then the errors both answer.
 */
describe.each(databases)('answers of the registry routes match their declarations on $name', (database) => {
  const ctx = useDatabase(database);
  let declared: DeclaredAnswers;
  const run1 = randomUUID();
  const run2 = randomUUID();

  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
  });

  async function call(method: string, path: string, body?: unknown, actor = 'alice') {
    const res = await declared.request(ctx().app, path, {
      method,
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  }
  const ok = async (method: string, path: string, body?: unknown, actor?: string) => {
    const r = await call(method, path, body, actor);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 400)}`).toBeLessThan(300);
    return r.body;
  };
  const mlflow = (method: string, path: string, body?: unknown, actor?: string) => ok(method, `/api/2.0/mlflow/${path}`, body, actor);
  const events = async (list: unknown[]) => {
    for (const e of list) expect((await post(ctx().app, e)).status).toBe(201);
  };
  const training = (runId: string, mlflowRunId: string, time: string, ordersVersion: string, commit: string, learningRate: string) =>
    trainingEvents({
      runId,
      mlflowRunId,
      time,
      ordersVersion,
      ordersFields: ordersVersion === '2.1' ? ORDERS_V21_FIELDS : ORDERS_V22_FIELDS,
      commit,
      learningRate,
      artifact: { namespace: 's3://models', name: `/clf/${ordersVersion}` },
    });
  const prepare = async (version: number) => {
    await ok('POST', `/api/v1/models/clf/versions/${version}/approvals`, { comment: 'metrics reviewed' }, 'bob');
    await ok('PUT', `/api/v1/models/clf/versions/${version}/card`, {
      markdown: `# clf v${version}`,
      fields: { intendedUse: 'churn scoring', metrics: { val_auc: version === 1 ? 0.91 : 0.86 } },
    });
  };

  it("answers MLflow's calls in MLflow's declared shapes", async () => {
    await events(etlEvents(randomUUID(), '2026-03-01T01:00:00Z', '2.1', ORDERS_V21_FIELDS));
    await events(training(run1, 'exp-47b', '2026-03-01T06:00:00Z', '2.1', 'a1b2c3d', '0.01'));
    await mlflow('POST', 'registered-models/create', { name: 'clf', description: 'churn', tags: [{ key: 'team', value: 'growth' }] });
    expect((await mlflow('GET', 'registered-models/get?name=clf')).registered_model.tags).toEqual([{ key: 'team', value: 'growth' }]);
    await mlflow('PATCH', 'registered-models/update', { name: 'clf', description: 'churn classifier' });
    await mlflow('POST', 'registered-models/set-tag', { name: 'clf', key: 'owner', value: 'growth' });
    await mlflow('DELETE', 'registered-models/delete-tag', { name: 'clf', key: 'owner' });
    const v1 = await mlflow('POST', 'model-versions/create', {
      name: 'clf',
      source: 's3://models/clf/2.1',
      run_id: 'exp-47b',
      tags: [{ key: 'reviewed', value: 'no' }],
    });
    expect(v1.model_version.version).toBe('1');
    await mlflow('GET', 'model-versions/get?name=clf&version=1');
    expect(await mlflow('GET', 'model-versions/get-download-uri?name=clf&version=1')).toEqual({ artifact_uri: 's3://models/clf/2.1' });
    await mlflow('PATCH', 'model-versions/update', { name: 'clf', version: '1', description: 'first' });
    await mlflow('POST', 'model-versions/set-tag', { name: 'clf', version: '1', key: 'reviewed', value: 'yes' });
    await mlflow('DELETE', 'model-versions/delete-tag', { name: 'clf', version: 1, key: 'reviewed' });
    await mlflow('POST', 'model-versions/transition-stage', {
      name: 'clf',
      version: '1',
      stage: 'Staging',
      archive_existing_versions: false,
    });
    await mlflow('POST', 'registered-models/alias', { name: 'clf', alias: 'candidate', version: '1' });
    expect((await mlflow('GET', 'registered-models/alias?name=clf&alias=candidate')).model_version.aliases).toEqual(['candidate']);
    expect(
      (await mlflow('POST', 'registered-models/get-latest-versions', { name: 'clf', stages: ['staging'] })).model_versions,
    ).toHaveLength(1);
    expect((await mlflow('GET', 'registered-models/get-latest-versions?name=clf&stages=None')).model_versions).toEqual([]);

    // A second model, to page through and to delete.
    await mlflow('POST', 'registered-models/create', { name: 'scratch' });
    await mlflow('POST', 'model-versions/create', { name: 'scratch', source: 'runs:/abc/model' });
    const page = await mlflow('GET', 'registered-models/search?max_results=1&order_by=name%20ASC');
    expect(page.registered_models.map((m: Json) => m.name)).toEqual(['clf']);
    expect(page.next_page_token).toEqual(expect.any(String));
    const list = await mlflow('GET', `registered-models/list?max_results=1&page_token=${encodeURIComponent(page.next_page_token)}`);
    expect(list.registered_models.map((m: Json) => m.name)).toEqual(['scratch']);
    const versions = await mlflow('GET', `model-versions/search?filter=${encodeURIComponent("name = 'scratch'")}`);
    expect(versions.model_versions.map((v: Json) => v.source)).toEqual(['runs:/abc/model']);
    await mlflow('DELETE', 'model-versions/delete', { name: 'scratch', version: '1' });
    await mlflow('DELETE', 'registered-models/alias', { name: 'clf', alias: 'candidate' });
    await mlflow('POST', 'registered-models/rename', { name: 'scratch', new_name: 'scratch-renamed' });
    await mlflow('DELETE', 'registered-models/delete', { name: 'scratch-renamed' });
  });

  it("answers Pedigree's model API in its declared shapes: the four questions, approvals, stages, links, cards, deployments", async () => {
    await prepare(1);
    expect((await ok('GET', '/api/v1/models/clf/versions/1/card')).fields).toMatchObject({ intendedUse: 'churn scoring' });
    expect((await ok('POST', '/api/v1/models/clf/versions/1/stage', { stage: 'production', comment: 'go' })).stage).toBe('Production');
    await ok('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf', version: 1 }, 'carol');
    const links = (await ok('GET', '/api/v1/models/clf/versions/1/links')).links;
    const candidate = links.find((l: Json) => l.status === 'candidate');
    expect(candidate).toMatchObject({ kind: 'dataset_version', method: 'dataset_version_tag' });
    expect(
      (await ok('POST', `/api/v1/models/clf/versions/1/links/${candidate.id}`, { status: 'rejected' }, 'dana')).decision,
    ).toMatchObject({
      actor: 'dana',
    });
    const lineage = await ok('GET', '/api/v1/models/clf/versions/1/lineage?depth=5');
    expect(lineage.trainingRuns.map((r: Json) => r.runId)).toEqual([run1]);
    expect(lineage.upstream.graph.length).toBeGreaterThan(2);

    await events(etlEvents(randomUUID(), '2026-04-01T01:00:00Z', '2.2', ORDERS_V22_FIELDS));
    await events(training(run2, 'exp-52c', '2026-04-01T06:00:00Z', '2.2', 'e4f5a6b', '0.05'));
    await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/2.2', run_id: 'exp-52c' });
    await prepare(2);
    await mlflow('POST', 'model-versions/transition-stage', {
      name: 'clf',
      version: '2',
      stage: 'Production',
      archive_existing_versions: true,
    });
    await ok('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'models:/clf/2', environment: 'production' }, 'carol');
    expect((await ok('GET', '/api/v1/deployments?endpoint=/predict')).deployments.map((d: Json) => [d.version, d.current])).toEqual([
      [2, true],
      [1, false],
    ]);

    const diff = await ok('GET', '/api/v1/models/clf/diff?to=2');
    expect(diff.causes.map((c: Json) => c.kind)).toEqual(['schema', 'code', 'parameters']);
    const ns = encodeURIComponent(ORDERS.namespace);
    const trained = await ok('GET', `/api/v1/namespaces/${ns}/datasets/${ORDERS.name}/models?version=2.1`);
    expect(trained.models.map((m: Json) => [m.model, m.version])).toEqual([['clf', 1]]);
    expect((await ok('GET', `/api/v1/namespaces/${ns}/datasets/${ORDERS.name}/models?transitive=false`)).models).toHaveLength(2);
    expect((await ok('GET', '/api/v1/models/clf/versions/Production/approval')).approvedForProduction).toBe(true);
    expect((await ok('GET', '/api/v1/models/clf/versions/1/approval')).deployments).toHaveLength(1);
    expect((await ok('GET', '/api/v1/models/clf/history?limit=3')).history).toHaveLength(3);
    expect((await ok('GET', `/api/v1/runs/${run1}/policy-check`)).passes).toBe(true);
    expect((await ok('GET', `/api/v1/runs/${randomUUID()}/policy-check`)).job).toBeNull();
  });

  it("answers errors as declared: MLflow's {error_code, message}, problem+json elsewhere", async () => {
    const mlflowCall = (method: string, path: string, body?: unknown) => call(method, `/api/2.0/mlflow/${path}`, body);
    expect((await mlflowCall('GET', 'registered-models/get?name=nope')).status).toBe(404);
    expect((await mlflowCall('GET', 'model-versions/get?name=clf&version=x')).body).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      details: [{ pointer: '/query/version' }],
    });
    expect((await mlflowCall('POST', 'registered-models/create', { name: 'clf' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const v3 = await mlflow('POST', 'model-versions/create', { name: 'clf', source: 's3://models/clf/3' });
    const refused = await mlflowCall('POST', 'model-versions/transition-stage', {
      name: 'clf',
      version: v3.model_version.version,
      stage: 'Production',
    });
    expect(refused).toMatchObject({ status: 409, body: { error_code: 'INVALID_STATE' } });
    const base = `/api/v1/models/clf/versions/${v3.model_version.version}`;
    expect((await call('POST', `${base}/stage`, { stage: 'Production' })).status).toBe(409);
    expect((await call('POST', `${base}/approvals`, {}, 'alice')).status).toBe(403);
    expect((await call('GET', `${base}/lineage?depth=x`)).body.errors).toEqual([{ pointer: '/query/depth', message: expect.any(String) }]);
    expect((await call('GET', '/api/v1/models/clf/versions/99/card')).status).toBe(404);
    expect((await call('GET', '/api/v1/runs/nope/policy-check')).body.errors).toEqual([
      { pointer: '/path/runId', message: 'must be a UUID' },
    ]);
    expect((await call('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf' })).body.errors[0].pointer).toBe('/version');
  });

  it('has answered every registry route with a 2xx', () => {
    const routes = [...declaredRoutes(mlflowRoutes, '/api/2.0/mlflow'), ...declaredRoutes(modelRoutes, '/api/v1')];
    expect(routes).toHaveLength(37);
    expect(routes.filter((r) => !declared.succeeded.has(r))).toEqual([]);
  });
});
