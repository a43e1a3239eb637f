import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { searchExperimentIds } from '../../tracking/experiment-search';
import {
  createExperiment,
  deleteExperimentTag,
  experimentsByIds,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  setExperimentStage,
  setExperimentTag,
} from '../../tracking/experiments';
import { SEARCH_DEFAULT_RESULTS } from '../../tracking/search-sql';
import { optionalText, textList } from '../../tracking/validate';
import type { AppEnv } from '../context';
import { declare, router, serve } from '../declare';
import { json } from '../schemas/common';
import { Done, mlflowErrors } from '../schemas/mlflow';
import { ExperimentAnswer, ExperimentCreated, ExperimentsPage, loose } from '../schemas/mlflow-tracking';

/** MLflow's experiments (REST API 2.0): the job each of its runs is in the lineage graph. */
export const mlflowExperimentRoutes = router();

const experimentId = 'the experiment id (digits, as text)';

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'post',
    path: '/experiments/create',
    scope: 'write',
    summary: 'Create an experiment',
    description:
      'Its `artifact_location` is the one asked for, else `<PEDIGREE_MLFLOW_ARTIFACT_ROOT>/<experiment_id>`: clients write artifacts there themselves. RESOURCE_ALREADY_EXISTS when the name is taken.',
    request: { body: loose({ name: 'the name (unique)', artifact_location: 'where its artifacts go', tags: '`[{key, value}]`' }) },
    responses: { 200: json(ExperimentCreated, 'its id'), ...mlflowErrors },
  }),
  async (c) => c.json({ experiment_id: await createExperiment(c.get('deps').db, c.req.valid('json')) }),
);

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'get',
    path: '/experiments/get',
    scope: 'read',
    summary: 'Get an experiment',
    request: { query: z.looseObject({ experiment_id: z.string().optional().openapi({ description: experimentId }) }) },
    responses: { 200: json(ExperimentAnswer, 'the experiment'), ...mlflowErrors },
  }),
  async (c) => {
    const deps = c.get('deps');
    return c.json({ experiment: await getExperiment(deps.db, deps.config.mlflow, c.req.valid('query').experiment_id) });
  },
);

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'get',
    path: '/experiments/get-by-name',
    scope: 'read',
    summary: 'Get an experiment by name',
    description: "RESOURCE_DOES_NOT_EXIST when there is none: MLflow's `set_experiment` then creates it.",
    request: { query: z.looseObject({ experiment_name: z.string().optional().openapi({ description: 'the name' }) }) },
    responses: { 200: json(ExperimentAnswer, 'the experiment'), ...mlflowErrors },
  }),
  async (c) => {
    const deps = c.get('deps');
    return c.json({ experiment: await getExperimentByName(deps.db, deps.config.mlflow, c.req.valid('query').experiment_name) });
  },
);

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'post',
    path: '/experiments/update',
    scope: 'write',
    summary: 'Rename an experiment',
    description: 'Its runs stay in the lineage job they were created in.',
    request: { body: loose({ experiment_id: experimentId, new_name: 'the new name' }) },
    responses: { 200: json(Done, 'renamed'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await renameExperiment(c.get('deps').db, b.experiment_id, b.new_name);
    return c.json({});
  },
);

for (const [path, stage, summary] of [
  ['/experiments/delete', 'deleted', 'Delete an experiment (and its runs), restorably'],
  ['/experiments/restore', 'active', 'Restore a deleted experiment and its runs'],
] as const) {
  serve(
    mlflowExperimentRoutes,
    declare({
      method: 'post',
      path,
      scope: 'write',
      summary,
      request: { body: loose({ experiment_id: experimentId }) },
      responses: { 200: json(Done, 'done'), ...mlflowErrors },
    }),
    async (c) => {
      await setExperimentStage(c.get('deps').db, c.req.valid('json').experiment_id, stage);
      return c.json({});
    },
  );
}

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'post',
    path: '/experiments/set-experiment-tag',
    scope: 'write',
    summary: 'Set a tag on an experiment',
    request: { body: loose({ experiment_id: experimentId, key: 'the key', value: 'the value' }) },
    responses: { 200: json(Done, 'set'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await setExperimentTag(c.get('deps').db, b.experiment_id, b.key, b.value);
    return c.json({});
  },
);

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'post',
    path: '/experiments/delete-experiment-tag',
    scope: 'write',
    summary: 'Delete a tag of an experiment',
    request: { body: loose({ experiment_id: experimentId, key: 'the key' }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await deleteExperimentTag(c.get('deps').db, b.experiment_id, b.key);
    return c.json({});
  },
);

const experimentSearch = {
  filter: "MLflow's filter over `name`, `creation_time`, `last_update_time` and `tags.`, joined by AND",
  view_type: 'ACTIVE_ONLY (default), DELETED_ONLY or ALL',
  max_results: 'page size (1000; at most 50,000)',
  order_by: '`name`, `experiment_id`, `creation_time`, `last_update_time`, with ASC or DESC',
  page_token: 'the previous page’s `next_page_token`',
};

/** MLflow's experiments/search, POST with a body (its clients) or GET with a query string (its UI). */
async function experimentsPage(c: Context<AppEnv>, q: Record<string, unknown>) {
  const { db, config } = c.get('deps');
  const page = await searchExperimentIds(db, {
    filter: optionalText(q.filter, 'filter'),
    viewType: q.view_type as string | number | undefined,
    maxResults: q.max_results === undefined ? SEARCH_DEFAULT_RESULTS : Number(q.max_results),
    orderBy: textList(q.order_by, 'order_by'),
    pageToken: optionalText(q.page_token, 'page_token'),
  });
  const experiments = await experimentsByIds(db, config.mlflow, page.experimentIds);
  return c.json({ experiments, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
}

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'post',
    path: '/experiments/search',
    scope: 'read',
    summary: 'Search experiments',
    request: { body: loose(experimentSearch) },
    responses: { 200: json(ExperimentsPage, 'a page of experiments'), ...mlflowErrors },
  }),
  (c) => experimentsPage(c, c.req.valid('json')),
);

serve(
  mlflowExperimentRoutes,
  declare({
    method: 'get',
    path: '/experiments/search',
    scope: 'read',
    summary: 'Search experiments (query string)',
    request: {
      query: z.looseObject(
        Object.fromEntries(Object.entries(experimentSearch).map(([k, d]) => [k, z.unknown().optional().openapi({ description: d })])),
      ),
    },
    responses: { 200: json(ExperimentsPage, 'a page of experiments'), ...mlflowErrors },
  }),
  (c) => experimentsPage(c, c.req.valid('query')),
);
