import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mlflowRequest } from './support/api-calls';
import { databases, useDatabase } from './support/databases';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

const PRINCIPALS = [
  { name: 'airflow', key: 'key-ingest-0001', scopes: ['ingest'] },
  { name: 'dashboards', key: 'key-read-00001', scopes: ['read'] },
  { name: 'alice', key: 'key-alice-0001', scopes: ['read', 'write'] },
  { name: 'bob', key: 'key-bob-000001', scopes: ['read', 'approve'] },
  { name: 'ops', key: 'key-admin-0001', scopes: ['admin'] },
];

describe.each(databases)('MLflow registry API on $name', (database) => {
  const ctx = useDatabase(database);

  const mlflow = (method: string, path: string, args?: Json) => mlflowRequest(ctx().app, method, path, args);

  it('answers in MLflow shapes: registered models, versions, tags, aliases, latest versions, search', async () => {
    const created = await mlflow('POST', 'registered-models/create', {
      name: 'ranker',
      tags: [{ key: 'team', value: 'search' }],
      description: 'd',
    });
    expect(created.status).toBe(200);
    expect(created.body.registered_model).toMatchObject({
      name: 'ranker',
      description: 'd',
      tags: [{ key: 'team', value: 'search' }],
      latest_versions: [],
      aliases: [],
    });
    expect(typeof created.body.registered_model.creation_timestamp).toBe('number');
    for (const source of ['s3://m/ranker/1', 'runs:/abc123/model', 'models:/ranker/1']) {
      const v = await mlflow('POST', 'model-versions/create', {
        name: 'ranker',
        source,
        run_id: 'abc123',
        tags: [{ key: 'k', value: source }],
      });
      expect(v.body.model_version).toMatchObject({
        name: 'ranker',
        source,
        run_id: 'abc123',
        current_stage: 'None',
        status: 'READY',
        tags: [{ key: 'k', value: source }],
      });
    }
    expect((await mlflow('GET', 'model-versions/get', { name: 'ranker', version: '2' })).body.model_version.version).toBe('2');
    expect((await mlflow('GET', 'model-versions/get-download-uri', { name: 'ranker', version: '1' })).body).toEqual({
      artifact_uri: 's3://m/ranker/1',
    });
    await mlflow('POST', 'model-versions/transition-stage', {
      name: 'ranker',
      version: '1',
      stage: 'staging',
      archive_existing_versions: false,
    });
    await mlflow('POST', 'model-versions/set-tag', { name: 'ranker', version: '1', key: 'reviewed', value: 'yes' });
    await mlflow('DELETE', 'model-versions/delete-tag', { name: 'ranker', version: '1', key: 'k' });
    await mlflow('POST', 'registered-models/alias', { name: 'ranker', alias: 'champion', version: '3' });
    const byAlias = await mlflow('GET', 'registered-models/alias', { name: 'ranker', alias: 'champion' });
    expect(byAlias.body.model_version).toMatchObject({ version: '3', aliases: ['champion'] });
    const model = (await mlflow('GET', 'registered-models/get', { name: 'ranker' })).body.registered_model;
    expect(model.aliases).toEqual([{ alias: 'champion', version: '3' }]);
    expect(model.latest_versions.map((v: Json) => [v.current_stage, v.version])).toEqual([
      ['Staging', '1'],
      ['None', '3'],
    ]);
    const v1 = (await mlflow('GET', 'model-versions/get', { name: 'ranker', version: '1' })).body.model_version;
    expect(v1).toMatchObject({ current_stage: 'Staging', tags: [{ key: 'reviewed', value: 'yes' }] });
    const latest = await mlflow('POST', 'registered-models/get-latest-versions', { name: 'ranker', stages: ['Staging'] });
    expect(latest.body.model_versions.map((v: Json) => v.version)).toEqual(['1']);
    const search = await mlflow('GET', 'model-versions/search', { filter: "name = 'ranker' and tags.k LIKE 'runs:%'" });
    expect(search.body.model_versions.map((v: Json) => v.version)).toEqual(['2']);
    const paged = await mlflow('GET', 'model-versions/search', { filter: "name='ranker'", max_results: 2, order_by: 'version_number ASC' });
    expect(paged.body.model_versions.map((v: Json) => v.version)).toEqual(['1', '2']);
    const next = await mlflow('GET', 'model-versions/search', {
      filter: "name='ranker'",
      max_results: 2,
      order_by: 'version_number ASC',
      page_token: paged.body.next_page_token,
    });
    expect(next.body.model_versions.map((v: Json) => v.version)).toEqual(['3']);
    expect(next.body.next_page_token).toBeUndefined();
    const models = await mlflow('GET', 'registered-models/search', { filter: "name ILIKE 'RANK%'" });
    expect(models.body.registered_models.map((m: Json) => m.name)).toEqual(['ranker']);
    await mlflow('PATCH', 'model-versions/update', { name: 'ranker', version: '2', description: 'second' });
    await mlflow('DELETE', 'model-versions/delete', { name: 'ranker', version: '2' });
    expect((await mlflow('GET', 'model-versions/get', { name: 'ranker', version: '2' })).status).toBe(404);
    await mlflow('DELETE', 'registered-models/delete', { name: 'ranker' });
    expect((await mlflow('GET', 'registered-models/get', { name: 'ranker' })).status).toBe(404);
  });

  it("answers MLflow's errors: error_code and message", async () => {
    expect(await mlflow('GET', 'registered-models/get', { name: 'nope' })).toEqual({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=nope not found' },
    });
    await mlflow('POST', 'registered-models/create', { name: 'dup' });
    const again = await mlflow('POST', 'registered-models/create', { name: 'dup' });
    expect(again).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await mlflow('POST', 'model-versions/create', { source: 's3://x' })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect(await mlflow('GET', 'model-versions/get', { name: 'dup', version: 'x' })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect(await mlflow('GET', 'model-versions/search', { filter: 'name ~ 1' })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    // order_by names a column from a fixed list; anything else (an object's own property names included) is a 400.
    for (const order_by of ['constructor', '__proto__ ASC', 'name; drop table x', 'version_number SIDEWAYS']) {
      expect(await mlflow('GET', 'model-versions/search', { order_by })).toMatchObject({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE' },
      });
    }
    expect((await mlflow('GET', 'registered-models/search', { order_by: 'last_updated_timestamp DESC' })).status).toBe(200);
    expect(await mlflow('POST', 'model-versions/transition-stage', { name: 'dup', version: '9', stage: 'Staging' })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
    });
  });
});

describe.each(databases)('values Postgres cannot store, on $name', (database) => {
  const ctx = useDatabase(database);
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await ctx().app.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('refuses NUL characters and over-long keys with a 400 naming the place, never a 500', async () => {
    const nul = await send('POST', '/api/2.0/mlflow/registered-models/create', { name: 'ok', tags: [{ key: 'k', value: 'a\u0000b' }] });
    expect(nul).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', details: [{ pointer: '/tags/0/value' }] } });
    expect((await send('GET', '/api/v1/search?q=%00')).body.errors).toEqual([expect.objectContaining({ pointer: '/query/q' })]);
    await send('POST', '/api/2.0/mlflow/registered-models/create', { name: 'm' });
    const noise = randomBytes(4500).toString('hex');
    expect((await send('POST', '/api/2.0/mlflow/registered-models/set-tag', { name: 'm', key: noise, value: 'v' })).status).toBe(400);
    expect((await send('POST', '/api/2.0/mlflow/model-versions/create', { name: 'm', run_id: noise })).status).toBe(400);
    // Behind the validation, the database's own refusal (an index key too long) is a 400 as well.
    const tag = await send('PUT', `/api/v1/tags/${noise}`, { description: 'd' });
    expect(tag.status).toBe(400);
    expect((await send('GET', '/api/2.0/mlflow/registered-models/get?name=m')).status).toBe(200);
  });
});

describe.each(databases)('principals and scopes on $name', (database) => {
  const ctx = useDatabase(database, { PEDIGREE_PRINCIPALS: JSON.stringify(PRINCIPALS) });
  const call = async (key: string | undefined, method: string, path: string, body?: Json) => {
    const res = await ctx().app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), 'x-pedigree-actor': 'mallory' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('maps each key to a named principal with scopes; the actor is the principal, whatever the header says', async () => {
    expect((await call(undefined, 'GET', '/api/v1/namespaces')).status).toBe(401);
    expect((await call('key-read-00001', 'GET', '/api/v1/namespaces')).status).toBe(200);
    expect((await call('key-read-00001', 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'm' })).status).toBe(403);
    expect((await call('key-ingest-0001', 'GET', '/api/v1/namespaces')).status).toBe(403);
    expect((await call('key-alice-0001', 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'm' })).status).toBe(200);
    const v = await call('key-alice-0001', 'POST', '/api/2.0/mlflow/model-versions/create', { name: 'm', source: 's3://b/m/1' });
    expect(v.body.model_version.user_id).toBe('alice');
    // Approving needs the approve scope: write is not enough, and the registrant may not approve anyway.
    expect((await call('key-alice-0001', 'POST', '/api/v1/models/m/versions/1/approvals', {})).status).toBe(403);
    const approved = await call('key-bob-000001', 'POST', '/api/v1/models/m/versions/1/approvals', { comment: 'ok' });
    expect(approved.status).toBe(201);
    expect(approved.body.approvals.map((a: Json) => a.actor)).toEqual(['bob']);
    expect(
      (await call('key-admin-0001', 'POST', '/api/2.0/mlflow/registered-models/alias', { name: 'm', alias: 'prod', version: '1' })).status,
    ).toBe(200);
    const history = (await call('key-read-00001', 'GET', '/api/v1/models/m/versions/1/approval')).body.history;
    expect(history.map((h: Json) => [h.action, h.actor])).toEqual([
      ['model.registered', 'alice'],
      ['version.registered', 'alice'],
      ['version.approved', 'bob'],
      ['alias.set', 'ops'],
    ]);
  });
});
