import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { MlflowConfig } from '../../config';
import type { Db } from '../../db/client';
import { deleteTag, logBatch, logInputs, logMetric, logModel, logOutputs, logParam, metricHistory, setTag } from '../../tracking/run-data';
import { searchRunIds } from '../../tracking/run-search';
import { createRun, getRun, runsByIds, setRunStage, updateRun } from '../../tracking/runs';
import { SEARCH_DEFAULT_RESULTS } from '../../tracking/search-sql';
import { optionalText, textList } from '../../tracking/validate';
import type { AppEnv } from '../context';
import { declare, router, serve } from '../declare';
import { json } from '../schemas/common';
import { Done, maxResults, mlflowErrors } from '../schemas/mlflow';
import { loose, MetricHistoryPage, RunAnswer, RunInfoAnswer, RunsPage } from '../schemas/mlflow-tracking';
import { text } from '../schemas/params';

/**
 * MLflow's runs and what they log (REST API 2.0). Each change is one transaction that also stores the
 * run's OpenLineage event (src/tracking/projection.ts): an MLflow run is a run of the lineage graph.
 */
export const mlflowRunRoutes = router();

const runId = { run_id: 'the run id (32 hex digits)', run_uuid: 'the same, for older clients' };
const runQuery = z.looseObject({
  run_id: z.string().optional().openapi({ description: runId.run_id }),
  run_uuid: z.string().optional().openapi({ description: runId.run_uuid }),
});

/** The principal's name when Pedigree has keys; otherwise MLflow's clients name the user themselves. */
const principal = (c: Context<AppEnv>) => {
  const actor = c.get('actor');
  return actor.authenticated ? actor.name : null;
};

serve(
  mlflowRunRoutes,
  declare({
    method: 'post',
    path: '/runs/create',
    scope: 'write',
    summary: 'Start a run',
    description:
      'In experiment 0 (Default) when none is given. Named like MLflow names runs when the client sends no name (`run_name` and tag `mlflow.runName`). Its OpenLineage run starts in job `<PEDIGREE_MLFLOW_NAMESPACE>/<experiment name>`.',
    request: {
      body: loose({
        experiment_id: 'the experiment',
        user_id: 'who runs it',
        run_name: 'its name',
        start_time: 'epoch ms',
        tags: '`[{key, value}]`',
      }),
    },
    responses: { 200: json(RunAnswer, 'the run'), ...mlflowErrors },
  }),
  async (c) => {
    const deps = c.get('deps');
    return c.json({ run: await createRun(deps.db, deps.config.mlflow, principal(c), c.req.valid('json')) });
  },
);

serve(
  mlflowRunRoutes,
  declare({
    method: 'get',
    path: '/runs/get',
    scope: 'read',
    summary: 'Get a run',
    description: 'Its info, latest metrics, params, tags, dataset and model inputs, model outputs.',
    request: { query: runQuery },
    responses: { 200: json(RunAnswer, 'the run'), ...mlflowErrors },
  }),
  async (c) => c.json({ run: await getRun(c.get('deps').db, c.req.valid('query')) }),
);

serve(
  mlflowRunRoutes,
  declare({
    method: 'post',
    path: '/runs/update',
    scope: 'write',
    summary: 'Update a run (status, end time, name)',
    description: 'A new status ends (or resumes) its OpenLineage run: FINISHED → COMPLETE, FAILED → FAIL, KILLED → ABORT.',
    request: {
      body: loose({ ...runId, status: 'RUNNING, SCHEDULED, FINISHED, FAILED or KILLED', end_time: 'epoch ms', run_name: 'a new name' }),
    },
    responses: { 200: json(RunInfoAnswer, 'the run'), ...mlflowErrors },
  }),
  async (c) => {
    const deps = c.get('deps');
    return c.json({ run_info: await updateRun(deps.db, deps.config.mlflow, c.req.valid('json')) });
  },
);

/** The changes of a run that answer nothing: one route each, the same way. */
type Change = (db: Db, config: MlflowConfig, body: Record<string, unknown>) => Promise<void>;
const changes: [string, string, Record<string, string>, Change][] = [
  [
    '/runs/log-metric',
    'Log a metric value',
    {
      ...runId,
      key: 'the metric',
      value: 'a double',
      timestamp: 'epoch ms',
      step: 'the step (0)',
      model_id: 'the logged model it measures',
    },
    logMetric,
  ],
  ['/runs/log-parameter', 'Log a parameter (once per key)', { ...runId, key: 'the parameter', value: 'its value (text)' }, logParam],
  ['/runs/delete', 'Delete a run (restorably)', runId, (db, config, body) => setRunStage(db, config, body, 'deleted')],
  ['/runs/restore', 'Restore a deleted run', runId, (db, config, body) => setRunStage(db, config, body, 'active')],
  ['/runs/set-tag', 'Set a tag on a run', { ...runId, key: 'the tag', value: 'its value' }, setTag],
  ['/runs/delete-tag', 'Delete a tag of a run', { run_id: runId.run_id, key: 'the tag' }, deleteTag],
  [
    '/runs/log-batch',
    'Log metrics, params and tags at once',
    { run_id: runId.run_id, metrics: '`[{key, value, timestamp, step}]`', params: '`[{key, value}]`', tags: '`[{key, value}]`' },
    logBatch,
  ],
  [
    '/runs/log-inputs',
    'Log dataset (and model) inputs',
    {
      run_id: runId.run_id,
      datasets:
        '`[{tags, dataset: {name, digest, source_type, source, schema, profile}}]`: inputs of its OpenLineage run, the digest as their version',
      models: '`[{model_id}]`',
    },
    logInputs,
  ],
  ['/runs/outputs', 'Log the logged models a run produced', { run_id: runId.run_id, models: '`[{model_id, step}]`' }, logOutputs],
  [
    '/runs/log-model',
    'Record a logged model’s metadata (MLflow 2 clients)',
    { run_id: runId.run_id, model_json: 'the MLmodel file as JSON: appended to the run’s `mlflow.log-model.history` tag' },
    logModel,
  ],
];

for (const [path, summary, members, change] of changes) {
  serve(
    mlflowRunRoutes,
    declare({
      method: 'post',
      path,
      scope: 'write',
      summary,
      request: { body: loose(members) },
      responses: { 200: json(Done, 'done'), ...mlflowErrors },
    }),
    async (c) => {
      const deps = c.get('deps');
      await change(deps.db, deps.config.mlflow, c.req.valid('json'));
      return c.json({});
    },
  );
}

serve(
  mlflowRunRoutes,
  declare({
    method: 'get',
    path: '/metrics/get-history',
    scope: 'read',
    summary: "A metric's every value, oldest first",
    request: {
      query: z.looseObject({
        ...runQuery.shape,
        metric_key: z.string().optional().openapi({ description: 'the metric' }),
        max_results: maxResults(25_000, 25_000),
        page_token: text('the previous page’s `next_page_token`'),
      }),
    },
    responses: { 200: json(MetricHistoryPage, 'the values'), ...mlflowErrors },
  }),
  async (c) => c.json(await metricHistory(c.get('deps').db, c.req.valid('query'))),
);

const runSearch = {
  experiment_ids: 'the experiments to search (a list of ids)',
  filter: "MLflow's filter over `metrics.`, `params.`, `tags.`, `attributes.` and `datasets.`, joined by AND",
  run_view_type: 'ACTIVE_ONLY (default), DELETED_ONLY or ALL',
  max_results: 'page size (1000; at most 50,000)',
  order_by: '`metrics.auc DESC`, `attributes.start_time`, … (default: start_time DESC, run_id)',
  page_token: 'the previous page’s `next_page_token`',
};

serve(
  mlflowRunRoutes,
  declare({
    method: 'post',
    path: '/runs/search',
    scope: 'read',
    summary: 'Search runs',
    description: 'As MLflow’s SQL store searches them: its grammar, its orders (missing values and NaN last), its page tokens.',
    request: { body: loose(runSearch) },
    responses: { 200: json(RunsPage, 'a page of runs'), ...mlflowErrors },
  }),
  async (c) => {
    const db = c.get('deps').db;
    const b = c.req.valid('json');
    const page = await searchRunIds(db, {
      experimentIds: textList(b.experiment_ids, 'experiment_ids'),
      filter: optionalText(b.filter, 'filter'),
      runViewType: b.run_view_type as string | number | undefined,
      maxResults: b.max_results === undefined ? SEARCH_DEFAULT_RESULTS : Number(b.max_results),
      orderBy: textList(b.order_by, 'order_by'),
      pageToken: optionalText(b.page_token, 'page_token'),
    });
    return c.json({ runs: await runsByIds(db, page.runUuids), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
  },
);
