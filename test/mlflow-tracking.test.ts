import { describe, expect, it } from 'vitest';
import { mlflowRequest } from './support/api-calls';
import { databases, useDatabase } from './support/databases';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/**
 * MLflow's tracking API as its server answers it (MLflow master of 2025-11-19: mlflow/server/handlers.py,
 * mlflow/store/tracking/sqlalchemy_store.py, mlflow/utils/validation.py): experiments, runs, what they log,
 * logged models, limits and error codes. The real client's own requests are replayed in mlflow-replay.test.ts.
 */
describe.each(databases)("MLflow's tracking API on $name", (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MLFLOW_ARTIFACT_ROOT: 's3://bucket/mlflow/' });

  const call = (method: string, path: string, args?: Json) => mlflowRequest(ctx().app, method, path, args);
  const ok = async (method: string, path: string, args?: Json) => {
    const r = await call(method, path, args);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 400)}`).toBe(200);
    return r.body;
  };
  const refused = async (method: string, path: string, args: Json | undefined, status: number, code: string, message?: RegExp) => {
    const r = await call(method, path, args);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error_code).toBe(code);
    if (message) expect(r.body.message).toMatch(message);
    return r.body;
  };

  it('creates experiments under the artifact root, finds them by id and name, refuses a taken name', async () => {
    const { experiment_id } = await ok('POST', 'experiments/create', { name: 'clf', tags: [{ key: 'team', value: 'ml' }] });
    expect(experiment_id).toMatch(/^\d+$/);
    const { experiment } = await ok('GET', 'experiments/get', { experiment_id });
    expect(experiment).toMatchObject({
      experiment_id,
      name: 'clf',
      artifact_location: `s3://bucket/mlflow/${experiment_id}`,
      lifecycle_stage: 'active',
      tags: [{ key: 'team', value: 'ml' }],
    });
    expect((await ok('GET', 'experiments/get-by-name', { experiment_name: 'clf' })).experiment.experiment_id).toBe(experiment_id);
    await refused(
      'GET',
      'experiments/get-by-name',
      { experiment_name: 'nope' },
      404,
      'RESOURCE_DOES_NOT_EXIST',
      /Could not find experiment with name 'nope'/,
    );
    await refused('POST', 'experiments/create', { name: 'clf' }, 400, 'RESOURCE_ALREADY_EXISTS');
    await refused('POST', 'experiments/create', {}, 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
    await refused(
      'GET',
      'experiments/get',
      { experiment_id: '999999' },
      404,
      'RESOURCE_DOES_NOT_EXIST',
      /No Experiment with id=999999 exists/,
    );
    await refused('GET', 'experiments/get', { experiment_id: 'abc' }, 400, 'INVALID_PARAMETER_VALUE', /Invalid experiment ID/);
    // The Default experiment MLflow's clients log to when none is set.
    expect((await ok('GET', 'experiments/get', { experiment_id: '0' })).experiment.name).toBe('Default');
  });

  it('renames, tags, deletes and restores an experiment; its runs follow its stage', async () => {
    const { experiment_id } = await ok('POST', 'experiments/create', { name: 'to-rename', artifact_location: 'gs://other/place' });
    const { run } = await ok('POST', 'runs/create', { experiment_id, start_time: 1000 });
    await ok('POST', 'experiments/update', { experiment_id, new_name: 'renamed' });
    await ok('POST', 'experiments/set-experiment-tag', { experiment_id, key: 'k', value: 'v' });
    let { experiment } = await ok('GET', 'experiments/get', { experiment_id });
    expect(experiment).toMatchObject({ name: 'renamed', artifact_location: 'gs://other/place', tags: [{ key: 'k', value: 'v' }] });
    await ok('POST', 'experiments/delete-experiment-tag', { experiment_id, key: 'k' });
    await refused('POST', 'experiments/delete-experiment-tag', { experiment_id, key: 'k' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await ok('POST', 'experiments/delete', { experiment_id });
    ({ experiment } = await ok('GET', 'experiments/get', { experiment_id }));
    expect(experiment.lifecycle_stage).toBe('deleted');
    expect((await ok('GET', 'runs/get', { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe('deleted');
    await refused('POST', 'runs/create', { experiment_id }, 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
    await ok('POST', 'experiments/restore', { experiment_id });
    expect((await ok('GET', 'runs/get', { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe('active');
    await refused('POST', 'experiments/delete', { experiment_id: '0' }, 400, 'INVALID_PARAMETER_VALUE', /default experiment/);
  });

  it('runs: created named, logged, updated, read back as MLflow reads them', async () => {
    const { experiment_id } = await ok('POST', 'experiments/create', { name: 'runs' });
    const { run } = await ok('POST', 'runs/create', {
      experiment_id,
      user_id: 'bob',
      start_time: 1_700_000_000_000,
      tags: [
        { key: 'mlflow.source.git.commit', value: 'a1b2c3d' },
        { key: 'mlflow.source.name', value: 'train.py' },
      ],
    });
    const id = run.info.run_id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info).toMatchObject({
      run_uuid: id,
      experiment_id,
      user_id: 'bob',
      status: 'RUNNING',
      start_time: 1_700_000_000_000,
      artifact_uri: `s3://bucket/mlflow/${experiment_id}/${id}/artifacts`,
      lifecycle_stage: 'active',
    });
    expect(run.info.end_time).toBeUndefined();
    // No name asked for: MLflow's style of name, also as the mlflow.runName tag.
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name });

    await ok('POST', 'runs/log-parameter', { run_id: id, run_uuid: id, key: 'learning_rate', value: '0.01' });
    await ok('POST', 'runs/log-parameter', { run_id: id, key: 'learning_rate', value: '0.01' });
    await refused(
      'POST',
      'runs/log-parameter',
      { run_id: id, key: 'learning_rate', value: '0.02' },
      400,
      'INVALID_PARAMETER_VALUE',
      /Changing param values is not allowed/,
    );
    for (const [step, value] of [
      [0, 0.85],
      [2, 0.91],
      [1, 0.89],
    ] as const)
      await ok('POST', 'runs/log-metric', { run_id: id, key: 'val_auc', value, timestamp: 1_700_000_000_100 + step, step });
    await ok('POST', 'runs/log-metric', { run_id: id, key: 'loss', value: 'NaN', timestamp: 5, step: 0 });
    await ok('POST', 'runs/set-tag', { run_id: id, key: 'dataset_version', value: 'orders_v2.1+users_v3.0' });
    await ok('POST', 'runs/set-tag', { run_id: id, key: 'gone', value: 'x' });
    await ok('POST', 'runs/delete-tag', { run_id: id, key: 'gone' });
    await refused('POST', 'runs/delete-tag', { run_id: id, key: 'gone' }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await ok('POST', 'runs/log-batch', {
      run_id: id,
      metrics: [
        { key: 'f1', value: 0.5, timestamp: 10, step: 0 },
        { key: 'f1', value: 0.7, timestamp: 11, step: 1 },
      ],
      params: [{ key: 'depth', value: '5' }],
      tags: [{ key: 'triggered_by', value: 'airflow:retrain_clf' }],
    });
    await ok('POST', 'runs/log-inputs', {
      run_id: id,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: {
            name: 'orders',
            digest: 'd1g3st',
            source_type: 's3',
            source: '{"uri": "s3://lake/orders"}',
            schema: '{"mlflow_colspec": []}',
          },
        },
      ],
    });
    const { run_info } = await ok('POST', 'runs/update', { run_id: id, status: 'FINISHED', end_time: 1_700_000_100_000 });
    expect(run_info).toMatchObject({ run_id: id, status: 'FINISHED', end_time: 1_700_000_100_000 });

    const got = (await ok('GET', 'runs/get', { run_uuid: id, run_id: id })).run;
    expect(got.data.params).toEqual([
      { key: 'depth', value: '5' },
      { key: 'learning_rate', value: '0.01' },
    ]);
    // The latest metric is the one at the largest step, whatever order the values came in.
    expect(got.data.metrics).toEqual([
      { key: 'f1', value: 0.7, timestamp: 11, step: 1 },
      { key: 'loss', value: 'NaN', timestamp: 5, step: 0 },
      { key: 'val_auc', value: 0.91, timestamp: 1_700_000_000_102, step: 2 },
    ]);
    const tags = Object.fromEntries(got.data.tags.map((t: Json) => [t.key, t.value]));
    expect(tags).toMatchObject({
      dataset_version: 'orders_v2.1+users_v3.0',
      triggered_by: 'airflow:retrain_clf',
      'mlflow.source.git.commit': 'a1b2c3d',
    });
    expect(tags.gone).toBeUndefined();
    expect(got.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'orders',
          digest: 'd1g3st',
          source_type: 's3',
          source: '{"uri": "s3://lake/orders"}',
          schema: '{"mlflow_colspec": []}',
        },
      },
    ]);

    const history = await ok('GET', 'metrics/get-history', { run_id: id, metric_key: 'val_auc' });
    expect(history.metrics.map((m: Json) => [m.step, m.value])).toEqual([
      [0, 0.85],
      [1, 0.89],
      [2, 0.91],
    ]);
    const page = await ok('GET', 'metrics/get-history', { run_id: id, metric_key: 'val_auc', max_results: 2 });
    expect(page.metrics).toHaveLength(2);
    const rest = await ok('GET', 'metrics/get-history', {
      run_id: id,
      metric_key: 'val_auc',
      max_results: 2,
      page_token: page.next_page_token,
    });
    expect(rest.metrics.map((m: Json) => m.step)).toEqual([2]);
    expect(rest.next_page_token).toBeUndefined();
  });

  it('names: run_name and mlflow.runName agree or are refused; a new name renames', async () => {
    const a = (await ok('POST', 'runs/create', { run_name: 'first' })).run;
    expect(a.info).toMatchObject({ run_name: 'first', experiment_id: '0' });
    const b = (await ok('POST', 'runs/create', { tags: [{ key: 'mlflow.runName', value: 'tagged' }] })).run;
    expect(b.info.run_name).toBe('tagged');
    await refused(
      'POST',
      'runs/create',
      { run_name: 'x', tags: [{ key: 'mlflow.runName', value: 'y' }] },
      400,
      'INVALID_PARAMETER_VALUE',
      /different values/,
    );
    await ok('POST', 'runs/update', { run_id: a.info.run_id, run_name: 'second' });
    const renamed = (await ok('GET', 'runs/get', { run_id: a.info.run_id })).run;
    expect(renamed.info.run_name).toBe('second');
    expect(renamed.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'second' });
  });

  it("records MLflow 2's log-model in the run's mlflow.log-model.history tag", async () => {
    const id = (await ok('POST', 'runs/create', {})).run.info.run_id;
    const model = (path: string) => ({
      artifact_path: path,
      flavors: { python_function: {} },
      utc_time_created: '2026-12-01 10:00:00.000000',
      run_id: id,
    });
    await ok('POST', 'runs/log-model', { run_id: id, model_json: JSON.stringify(model('model')) });
    await ok('POST', 'runs/log-model', { run_id: id, model_json: JSON.stringify(model('other')) });
    const tags = (await ok('GET', 'runs/get', { run_id: id })).run.data.tags;
    const history = JSON.parse(tags.find((t: Json) => t.key === 'mlflow.log-model.history').value);
    expect(history.map((m: Json) => m.artifact_path)).toEqual(['model', 'other']);
    await refused(
      'POST',
      'runs/log-model',
      { run_id: id, model_json: '{"flavors": {}}' },
      400,
      'INVALID_PARAMETER_VALUE',
      /missing mandatory fields/,
    );
    await refused('POST', 'runs/log-model', { run_id: id, model_json: 'not json' }, 400, 'INVALID_PARAMETER_VALUE', /not a valid JSON/);
  });

  it("refuses what MLflow refuses, with MLflow's codes", async () => {
    const id = (await ok('POST', 'runs/create', {})).run.info.run_id;
    await refused('GET', 'runs/get', { run_id: 'f'.repeat(32) }, 404, 'RESOURCE_DOES_NOT_EXIST', /Run with id=f{32} not found/);
    await refused('POST', 'runs/log-metric', { run_id: 'f'.repeat(32), key: 'm', value: 1, timestamp: 1 }, 404, 'RESOURCE_DOES_NOT_EXIST');
    await refused('GET', 'runs/get', {}, 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'run_id'/);
    await refused(
      'POST',
      'runs/log-parameter',
      { run_id: id, key: 'k', value: 'x'.repeat(6001) },
      400,
      'INVALID_PARAMETER_VALUE',
      /exceeds the maximum length of 6000/,
    );
    await refused('POST', 'runs/set-tag', { run_id: id, key: 'k', value: 'x'.repeat(8001) }, 400, 'INVALID_PARAMETER_VALUE', /8000/);
    await refused('POST', 'runs/set-tag', { run_id: id, key: 'k'.repeat(251), value: 'v' }, 400, 'INVALID_PARAMETER_VALUE', /250/);
    await refused(
      'POST',
      'runs/log-parameter',
      { run_id: id, key: '../etc', value: 'v' },
      400,
      'INVALID_PARAMETER_VALUE',
      /resolve to other names/,
    );
    await refused(
      'POST',
      'runs/log-parameter',
      { run_id: id, key: 'a*b', value: 'v' },
      400,
      'INVALID_PARAMETER_VALUE',
      /Names may only contain/,
    );
    await refused(
      'POST',
      'runs/log-metric',
      { run_id: id, key: 'm', value: 'high', timestamp: 1 },
      400,
      'INVALID_PARAMETER_VALUE',
      /valid double/,
    );
    await refused('POST', 'runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: -1 }, 400, 'INVALID_PARAMETER_VALUE');
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' }));
    await refused('POST', 'runs/log-batch', { run_id: id, params }, 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
    await refused('POST', 'runs/log-batch', { run_id: id, metrics }, 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    // A batch refused is not half-written.
    await refused(
      'POST',
      'runs/log-batch',
      { run_id: id, params: [{ key: 'ok', value: '1' }], tags: [{ key: 'bad*', value: '' }] },
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expect((await ok('GET', 'runs/get', { run_id: id })).run.data.params).toEqual([]);
    await ok('POST', 'runs/delete', { run_id: id });
    await refused(
      'POST',
      'runs/set-tag',
      { run_id: id, key: 'k', value: 'v' },
      400,
      'INVALID_PARAMETER_VALUE',
      /must be in the 'active' state/,
    );
    await ok('POST', 'runs/restore', { run_id: id });
    await ok('POST', 'runs/set-tag', { run_id: id, key: 'k', value: 'v' });
  });

  it('logged models: created pending under the experiment, tagged, finalized, registered with model_id', async () => {
    const { experiment_id } = await ok('POST', 'experiments/create', { name: 'logged' });
    const runId = (await ok('POST', 'runs/create', { experiment_id })).run.info.run_id;
    const { model } = await ok('POST', 'logged-models', {
      experiment_id,
      name: 'model',
      model_type: 'classifier',
      source_run_id: runId,
      params: [{ key: 'alpha', value: '0.5' }],
      tags: [{ key: 'flavor', value: 'none' }],
    });
    const id = model.info.model_id;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info).toMatchObject({
      experiment_id,
      name: 'model',
      status: 'LOGGED_MODEL_PENDING',
      source_run_id: runId,
      artifact_uri: `s3://bucket/mlflow/${experiment_id}/models/${id}/artifacts`,
    });
    // Its files are an output of the run that logged it, in the run's lineage.
    const uuid = runId.replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');
    const lineage = await (await ctx().app.request(`/api/v1/jobs/runs/${uuid}`)).json();
    expect(lineage.outputDatasetVersions.map((o: Json) => o.datasetVersionId.name)).toEqual([
      `mlflow/${experiment_id}/models/${id}/artifacts`,
    ]);
    await ok('POST', `logged-models/${id}/params`, { model_id: id, params: [{ key: 'beta', value: '1' }] });
    await ok('PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'stage', value: 'trained' }] });
    const ready = (await ok('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' })).model;
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');
    expect(ready.data.params).toEqual([
      { key: 'alpha', value: '0.5' },
      { key: 'beta', value: '1' },
    ]);
    await ok('DELETE', `logged-models/${id}/tags/stage`);
    await refused('DELETE', `logged-models/${id}/tags/stage`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
    await refused('GET', `logged-models/m-${'0'.repeat(32)}`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');

    await ok('POST', 'registered-models/create', { name: 'logged-clf' });
    const { model_version } = await ok('POST', 'model-versions/create', {
      name: 'logged-clf',
      source: `models:/${id}`,
      run_id: runId,
      model_id: id,
    });
    expect(model_version.model_id).toBe(id);
    const uri = await ok('GET', 'model-versions/get-download-uri', { name: 'logged-clf', version: '1' });
    expect(uri.artifact_uri).toBe(model.info.artifact_uri);

    // The search, with its datasets and order as objects of the right types, and refusing any other.
    const found = await ok('POST', 'logged-models/search', {
      experiment_ids: [experiment_id],
      datasets: [{ dataset_name: 'holdout', dataset_digest: 'd1' }],
      order_by: [{ field_name: 'name', ascending: false }],
    });
    expect(found.models ?? []).toEqual([]);
    expect(
      (await ok('POST', 'logged-models/search', { experiment_ids: [experiment_id] })).models.map((m: Json) => m.info.model_id),
    ).toEqual([id]);
    // Found by a mutation fuzzer: these were cast unchecked, and `datasets: {}` was a 500.
    for (const [body, where] of [
      [{ datasets: {} }, 'datasets'],
      [{ datasets: ['orders'] }, 'datasets[0]'],
      [{ datasets: [{ dataset_name: 5 }] }, 'datasets[0].dataset_name'],
      [{ order_by: 'name' }, 'order_by'],
      [{ order_by: [null] }, 'order_by[0]'],
      [{ order_by: [{ field_name: 'name', ascending: 'yes' }] }, 'order_by[0].ascending'],
      [{ order_by: [{ field_name: 1.5 }] }, 'order_by[0].field_name'],
    ] as const) {
      const message = new RegExp(`for parameter '${where.replace(/[[\].]/g, '\\$&')}' supplied`);
      await refused('POST', 'logged-models/search', { experiment_ids: [experiment_id], ...body }, 400, 'INVALID_PARAMETER_VALUE', message);
    }
  });

  it('answers artifact routes and unknown routes ENDPOINT_NOT_FOUND, after reading what was sent', async () => {
    const r = await call('GET', 'artifacts/list', { run_id: 'x' });
    expect(r).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
    expect(r.body.message).toMatch(/stores no artifacts.*s3:\/\/bucket\/mlflow/);
    const upload = await ctx().app.request('/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model.pkl', {
      method: 'PUT',
      body: new Uint8Array(1 << 20),
    });
    expect(upload.status).toBe(404);
    expect((await upload.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
    const v3 = await ctx().app.request('/api/3.0/mlflow/traces', { method: 'POST', body: '{}' });
    expect(v3.status).toBe(404);
    expect((await v3.json()).error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
