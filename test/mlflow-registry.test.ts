import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { select } from '../src/db/sql';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { etlEvents, ORDERS_V21_FIELDS, trainingEvents } from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/**
 * The registry's searches, rename and errors as MLflow's server answers them (MLflow master of 2025-11-19:
 * mlflow/utils/search_utils.py, mlflow/store/model_registry/sqlalchemy_store.py, mlflow/server/handlers.py).
 */
describe.each(databases)("MLflow's registry semantics on $name", (database) => {
  const ctx = useDatabase(database);

  async function call(method: string, path: string, args?: Json, actor = 'alice') {
    const url = new URL(`http://x${path}`);
    if (method === 'GET' && args)
      for (const [k, v] of Object.entries(args)) for (const x of [v].flat()) url.searchParams.append(k, String(x));
    const res = await ctx().app.request(url.pathname + url.search, {
      method,
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
      ...(method !== 'GET' && args ? { body: JSON.stringify(args) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  }
  const mlflow = (method: string, path: string, args?: Json) => call(method, `/api/2.0/mlflow/${path}`, args);
  const ok = async (method: string, path: string, args?: Json, actor?: string) => {
    const r = await call(method, path, args, actor);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(300);
    return r.body;
  };
  const models = async (filter?: string, extra: Json = {}) => {
    const r = await mlflow('GET', 'registered-models/search', { ...(filter === undefined ? {} : { filter }), ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.registered_models?.map((m: Json) => m.name) ?? [];
  };
  const versions = async (filter?: string, extra: Json = {}) => {
    const r = await mlflow('GET', 'model-versions/search', { ...(filter === undefined ? {} : { filter }), ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.model_versions?.map((v: Json) => `${v.name}/${v.version}`) ?? [];
  };
  const refused = async (path: string, args: Json) => {
    const r = await mlflow('GET', path, args);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    return r.body.message as string;
  };

  beforeAll(async () => {
    const create = (name: string, tags: Json = {}) =>
      ok('POST', '/api/2.0/mlflow/registered-models/create', { name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
    await create('churn', { team: 'growth', 'mlflow.prompt.is_prompt': 'false' });
    await create('Churn-EU', { team: 'Growth' });
    await create('ranker');
    await create('summarize', { 'mlflow.prompt.is_prompt': 'true' });
    for (const [name, source, runId] of [
      ['churn', 's3://m/churn/1', 'aaa111'],
      ['churn', 's3://m/churn/2', 'bbb222'],
      ['churn', 'runs:/ccc333/model', 'ccc333'],
      ['ranker', 's3://m/ranker/1', 'ddd444'],
    ])
      await ok('POST', '/api/2.0/mlflow/model-versions/create', {
        name,
        source,
        run_id: runId,
        tags: [{ key: 'stage', value: `s-${runId}` }],
      });
    await ok('POST', '/api/2.0/mlflow/model-versions/create', {
      name: 'summarize',
      source: 'prompt',
      tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
    });
  });

  it('searches registered models: name, tag./tags., backquoted keys, =, !=, LIKE, ILIKE, AND; prompts left out', async () => {
    // What the MLflow ≥ 2.21 client appends to every search: a model without the tag matches.
    const notPrompt = "tag.`mlflow.prompt.is_prompt` != 'true'";
    expect(await models(notPrompt)).toEqual(['Churn-EU', 'churn', 'ranker']);
    expect(await models(`name LIKE 'churn%' AND ${notPrompt}`)).toEqual(['churn']);
    expect(await models()).toEqual(['Churn-EU', 'churn', 'ranker']);
    expect(await models("tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual(['summarize']);
    expect(await models("tags.mlflow.prompt.is_prompt != 'false'")).toEqual(['summarize']);
    expect(await models("name ILIKE 'churn%'")).toEqual(['Churn-EU', 'churn']);
    expect(await models("name = 'churn'")).toEqual(['churn']);
    expect(await models('name = "churn"')).toEqual(['churn']);
    expect(await models("name != 'churn'")).toEqual(['Churn-EU', 'ranker']);
    expect(await models("tags.team = 'growth'")).toEqual(['churn']);
    expect(await models("tag.team ILIKE 'GROWTH'")).toEqual(['Churn-EU', 'churn']);
    // A tag comparison needs the tag: ranker has no `team`, so `!=` does not match it (MLflow joins tag rows).
    expect(await models("tags.team != 'growth'")).toEqual(['Churn-EU']);
    expect(await models("tags.\"team\" LIKE 'G%' and name like '%EU'")).toEqual(['Churn-EU']);
    expect(await models("attribute.name = 'ranker'")).toEqual(['ranker']);
  });

  it("refuses what MLflow refuses, with MLflow's messages", async () => {
    expect(await refused('registered-models/search', { filter: "run_id = 'x'" })).toBe(
      "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    );
    expect(await refused('registered-models/search', { filter: "name IN ('a')" })).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(await refused('registered-models/search', { filter: "name > 'a'" })).toBe('Invalid comparator for attribute: >');
    expect(await refused('registered-models/search', { filter: "params.x = 'a'" })).toMatch(/^Invalid entity type 'params'/);
    expect(await refused('registered-models/search', { filter: "name = 'a' OR name = 'b'" })).toMatch(
      /^Invalid clause\(s\) in filter string/,
    );
    expect(await refused('registered-models/search', { filter: 'name = churn' })).toMatch(/^Parameter value is either not quoted/);
    expect(await refused('registered-models/search', { filter: 'tags.k = 5' })).toMatch(/^Expected a quoted string value for tag/);
    expect(await refused('model-versions/search', { filter: "tags.k IN ('a')" })).toMatch(/^Invalid comparator for tag: IN|Only the/);
    expect(await refused('model-versions/search', { filter: "source_path IN ('a')" })).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(await refused('model-versions/search', { filter: "version_number LIKE '1'" })).toBe(
      'Invalid comparator for attribute version_number: LIKE',
    );
    expect(await refused('registered-models/search', { order_by: 'creation_timestamp' })).toMatch(
      /^Invalid order by key 'creation_timestamp'/,
    );
    expect(await refused('registered-models/search', { order_by: ['timestamp', 'last_updated_timestamp DESC'] })).toMatch(
      /^`order_by` contains duplicate fields/,
    );
    expect(await refused('model-versions/search', { order_by: 'name SIDEWAYS' })).toBe(
      "Invalid ordering key in order_by clause 'name SIDEWAYS'.",
    );
    expect(await refused('registered-models/search', { max_results: 1001 })).toBeTruthy();
    expect(await refused('model-versions/search', { max_results: 200_001 })).toBeTruthy();
    expect(await refused('registered-models/search', { page_token: 'bm90IGpzb24=' })).toBe('Invalid page token, decoded value=not json');
  });

  it('searches model versions: name, run_id (IN), source_path, version_number, tags; prompts left out', async () => {
    // MLflow's default order: last updated first, then name ascending, version descending.
    expect(await versions()).toEqual(['ranker/1', 'churn/3', 'churn/2', 'churn/1']);
    expect(await versions("name = 'churn'", { order_by: 'version_number ASC' })).toEqual(['churn/1', 'churn/2', 'churn/3']);
    expect(await versions("run_id IN ('aaa111', 'ddd444')", { order_by: 'name' })).toEqual(['churn/1', 'ranker/1']);
    expect(await versions("run_id = 'bbb222'")).toEqual(['churn/2']);
    expect(await versions("source_path LIKE 'runs:/%'")).toEqual(['churn/3']);
    expect(await versions("name = 'churn' and version_number >= 2", { order_by: ['version_number'] })).toEqual(['churn/2', 'churn/3']);
    expect(await versions("version_number = '1'", { order_by: ['name'] })).toEqual(['churn/1', 'ranker/1']);
    expect(await versions("tags.stage LIKE 's-a%'")).toEqual(['churn/1']);
    expect(await versions("tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual(['summarize/1']);
    expect(await versions("tags.stage != 'x' AND name = 'ranker'")).toEqual(['ranker/1']);
  });

  it("orders and pages as MLflow: order_by, tie-breakers, MLflow's page tokens and limits", async () => {
    expect(await models(undefined, { order_by: 'name DESC' })).toEqual(['ranker', 'churn', 'Churn-EU']);
    expect(await models(undefined, { order_by: '`name` desc' })).toEqual(['ranker', 'churn', 'Churn-EU']);
    // ranker was updated last (its version registered after churn's).
    expect((await models(undefined, { order_by: 'timestamp DESC' }))[0]).toBe('ranker');
    const first = await mlflow('GET', 'registered-models/search', { max_results: 2 });
    expect(first.body.registered_models.map((m: Json) => m.name)).toEqual(['Churn-EU', 'churn']);
    expect(JSON.parse(atob(first.body.next_page_token))).toEqual({ offset: 2 });
    const second = await mlflow('GET', 'registered-models/search', { max_results: 2, page_token: first.body.next_page_token });
    expect(second.body).toEqual({ registered_models: [expect.objectContaining({ name: 'ranker' })] });
    const paged = await mlflow('GET', 'model-versions/search', { filter: "name = 'churn'", max_results: 2 });
    expect(paged.body.model_versions).toHaveLength(2);
    expect(paged.body.next_page_token).toBeDefined();
  });

  it('answers ENDPOINT_NOT_FOUND for an unknown route, INVALID_PARAMETER_VALUE for a missing alias', async () => {
    expect(await mlflow('GET', 'registered-models/nope', { name: 'churn' })).toMatchObject({
      status: 404,
      body: { error_code: 'ENDPOINT_NOT_FOUND' },
    });
    expect(await mlflow('POST', 'runs/get', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
    expect(await mlflow('GET', 'registered-models/alias', { name: 'churn', alias: 'champion' })).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.', details: expect.any(Array) },
    });
    expect((await mlflow('GET', 'registered-models/alias', { name: 'nope', alias: 'champion' })).body.error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await mlflow('GET', 'registered-models/alias', { name: 'churn', alias: 'Latest' })).body.model_version.version).toBe('3');
    // MLflow deletes an alias that is not there as done.
    expect((await mlflow('DELETE', 'registered-models/alias', { name: 'churn', alias: 'champion' })).status).toBe(200);
  });
});

describe.each(databases)('renaming a registered model on $name', (database) => {
  const ctx = useDatabase(database);

  async function call(method: string, path: string, body?: Json, actor = 'alice') {
    const res = await ctx().app.request(path, {
      method,
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  }
  const ok = async (method: string, path: string, body?: Json, actor?: string) => {
    const r = await call(method, path, body, actor);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(300);
    return r.body;
  };
  const m = (path: string) => `/api/2.0/mlflow/${path}`;

  it('carries versions, tags, aliases, approvals, cards, links and their decisions, deployments, copies; audited', async () => {
    const run = randomUUID();
    for (const e of [
      ...etlEvents(randomUUID(), '2026-03-01T01:00:00Z', '2.1', ORDERS_V21_FIELDS),
      ...trainingEvents({
        runId: run,
        mlflowRunId: 'exp-1',
        time: '2026-03-01T06:00:00Z',
        ordersVersion: '2.1',
        ordersFields: ORDERS_V21_FIELDS,
        commit: 'abc1234',
        learningRate: '0.1',
        artifact: { namespace: 's3://models', name: '/clf/2.1' },
      }),
    ])
      expect((await post(ctx().app, e)).status).toBe(201);
    await ok('POST', m('registered-models/create'), { name: 'clf', tags: [{ key: 'team', value: 'growth' }] });
    await ok('POST', m('model-versions/create'), {
      name: 'clf',
      source: 's3://models/clf/2.1',
      run_id: 'exp-1',
      tags: [{ key: 'dataset_version', value: 'orders_v2.1' }],
    });
    await ok('POST', m('registered-models/alias'), { name: 'clf', alias: 'champion', version: '1' });
    await ok('POST', '/api/v1/models/clf/versions/1/approvals', { comment: 'ok' }, 'bob');
    await ok('PUT', '/api/v1/models/clf/versions/1/card', { markdown: '# clf', fields: { intendedUse: 'churn' } });
    await ok('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf', version: 1 }, 'carol');
    const links = (await ok('GET', '/api/v1/models/clf/versions/1/links')).links as Json[];
    const candidate = links.find((l) => l.status === 'candidate')!;
    expect(candidate).toBeDefined();
    await ok('POST', `/api/v1/models/clf/versions/1/links/${candidate.id}`, { status: 'rejected' }, 'dana');
    await ok('POST', m('registered-models/create'), { name: 'copy' });
    await ok('POST', m('model-versions/create'), { name: 'copy', source: 'models:/clf/1' });
    const copyLinksBefore = (await ok('GET', '/api/v1/models/copy/versions/1/links')).links as Json[];
    await ok('POST', m('registered-models/create'), { name: 'taken' });

    expect(await call('POST', m('registered-models/rename'), { name: 'clf', new_name: 'taken' })).toMatchObject({
      status: 400,
      body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=taken) already exists.' },
    });
    expect(await call('POST', m('registered-models/rename'), { name: 'nope', new_name: 'x' })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
    });
    expect((await call('POST', m('registered-models/rename'), { name: 'clf' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');

    const renamed = await ok('POST', m('registered-models/rename'), { name: 'clf', new_name: 'churn-clf' });
    expect(renamed.registered_model).toMatchObject({
      name: 'churn-clf',
      tags: [{ key: 'team', value: 'growth' }],
      aliases: [{ alias: 'champion', version: '1' }],
      latest_versions: [expect.objectContaining({ name: 'churn-clf', version: '1' })],
    });
    expect((await call('GET', m('registered-models/get?name=clf'))).status).toBe(404);
    const v = (await ok('GET', m('registered-models/alias?name=churn-clf&alias=champion'))).model_version;
    expect(v.tags).toEqual([{ key: 'dataset_version', value: 'orders_v2.1' }]);
    expect((await ok('GET', '/api/v1/models/churn-clf/versions/1/card')).fields).toEqual({ intendedUse: 'churn' });
    const after = (await ok('GET', '/api/v1/models/churn-clf/versions/1/links')).links as Json[];
    expect(after.map((l) => [l.kind, l.status, l.runId])).toEqual(
      links.map((l) => [l.kind, l.id === candidate.id ? 'rejected' : l.status, l.runId]),
    );
    expect(after.find((l) => l.status === 'rejected')?.decision).toMatchObject({ actor: 'dana' });
    expect((await ok('GET', '/api/v1/deployments?endpoint=/predict')).deployments).toEqual([
      expect.objectContaining({ model: 'churn-clf', version: 1 }),
    ]);
    expect((await ok('GET', '/api/v1/models/copy/versions/1/links')).links.map((l: Json) => [l.kind, l.status])).toEqual(
      copyLinksBefore.map((l) => [l.kind, l.status]),
    );
    const { db } = ctx();
    for (const table of ['model_approvals', 'model_cards', 'model_version_links', 'model_link_decisions', 'model_aliases']) {
      const [row] = await select<{ old: number; now: number }>(
        db,
        sql`select count(*) filter (where model_name = 'clf')::int as old, count(*) filter (where model_name = 'churn-clf')::int as now
          from ${sql.identifier(table)}`,
      );
      expect([table, row!.old, row!.now > 0]).toEqual([table, 0, true]);
    }
    const history = (await ok('GET', '/api/v1/models/churn-clf/history')).history as Json[];
    expect(history.at(-1)).toMatchObject({ action: 'model.renamed', actor: 'alice', detail: { from: 'clf', to: 'churn-clf' } });
    // Its history starts where it started, under its first name.
    expect(history[0]).toMatchObject({ action: 'model.registered', modelName: 'clf' });
    expect(history.filter((h) => h.action === 'version.stage_changed' || h.action === 'version.registered').length).toBeGreaterThan(0);
    // The name is free again, and the new model's history is its own.
    await ok('POST', m('registered-models/create'), { name: 'clf' });
    const fresh = (await ok('GET', '/api/v1/models/clf/history')).history as Json[];
    expect(fresh.map((h) => h.action)).toEqual(['model.registered']);
    expect((await ok('GET', '/api/v1/models/churn-clf/history')).history).toHaveLength(history.length);
  });
});
