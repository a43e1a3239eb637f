import { z } from '@hono/zod-openapi';
import { type DatasetFilter, type LoggedModelOrder, searchLoggedModelIds } from '../../tracking/logged-model-search';
import {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  loggedModelsByIds,
  logLoggedModelParams,
  setLoggedModelTags,
} from '../../tracking/logged-models';
import { objectList, optionalBoolean, optionalText, textList } from '../../tracking/validate';
import { declare, router, serve } from '../declare';
import { json } from '../schemas/common';
import { Done, mlflowErrors } from '../schemas/mlflow';
import { LoggedModelAnswer, LoggedModelsPage, loose } from '../schemas/mlflow-tracking';
import { segment } from '../schemas/params';

/**
 * MLflow 3's logged models (REST API 2.0, `/logged-models`): what its clients create when they log a
 * model, and search when they register `runs:/<run_id>/<name>` (register_model looks for the run's
 * logged model of that name, then registers `models:/<model_id>`).
 */
export const mlflowLoggedModelRoutes = router();

const modelPath = z.object({ model_id: segment('the logged model (`m-…`)') });

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'post',
    path: '/logged-models',
    scope: 'write',
    summary: 'Create a logged model',
    description: 'Pending until finalized. Its `artifact_uri` is under its experiment’s artifact location: the client writes the files.',
    request: {
      body: loose({
        experiment_id: 'the experiment',
        name: 'its name (`model`)',
        model_type: 'a free text',
        source_run_id: 'the run that produced it',
        params: '`[{key, value}]`',
        tags: '`[{key, value}]`',
      }),
    },
    responses: { 200: json(LoggedModelAnswer, 'the logged model'), ...mlflowErrors },
  }),
  async (c) => {
    const deps = c.get('deps');
    return c.json({ model: await createLoggedModel(deps.db, deps.config.mlflow, c.req.valid('json')) });
  },
);

/**
 * One of the request's `datasets` (SearchLoggedModels.DatasetFilter), its members' types checked; a missing
 * name is the search's to refuse, with MLflow's message.
 */
const datasetFilter = (o: Record<string, unknown>, at: string): DatasetFilter => ({
  dataset_name: optionalText(o.dataset_name, `${at}.dataset_name`) ?? '',
  dataset_digest: optionalText(o.dataset_digest, `${at}.dataset_digest`) ?? null,
});

/** One of the request's `order_by` (SearchLoggedModels.OrderBy), its members' types checked; the field is the search's to check. */
const loggedModelOrder = (o: Record<string, unknown>, at: string): LoggedModelOrder => {
  const ascending = optionalBoolean(o.ascending, `${at}.ascending`);
  return {
    field_name: optionalText(o.field_name, `${at}.field_name`) ?? '',
    ...(ascending !== undefined && { ascending }),
    dataset_name: optionalText(o.dataset_name, `${at}.dataset_name`) ?? null,
    dataset_digest: optionalText(o.dataset_digest, `${at}.dataset_digest`) ?? null,
  };
};

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'post',
    path: '/logged-models/search',
    scope: 'read',
    summary: 'Search logged models',
    description:
      'MLflow 3’s grammar over `name`, `model_id`, `status`, `source_run_id`, … and `metrics.`, `params.`, `tags.`; `order_by` as `[{field_name, ascending}]`; its page tokens. `register_model("runs:/<run_id>/model")` finds the run’s model here.',
    request: {
      body: loose({
        experiment_ids: 'the experiments to search',
        filter: 'the filter',
        datasets: '`[{dataset_name, dataset_digest}]`: metrics computed on these',
        max_results: 'page size (100)',
        order_by: '`[{field_name, ascending, dataset_name, dataset_digest}]`',
        page_token: 'the previous page’s `next_page_token`',
      }),
    },
    responses: { 200: json(LoggedModelsPage, 'a page of logged models'), ...mlflowErrors },
  }),
  async (c) => {
    const db = c.get('deps').db;
    const b = c.req.valid('json');
    const page = await searchLoggedModelIds(db, {
      experimentIds: textList(b.experiment_ids, 'experiment_ids'),
      filter: optionalText(b.filter, 'filter'),
      datasets: objectList(b.datasets, 'datasets', datasetFilter),
      // The REST request's default (its proto's), below the store's own.
      maxResults: b.max_results === undefined ? 50 : Number(b.max_results),
      orderBy: objectList(b.order_by, 'order_by', loggedModelOrder),
      pageToken: optionalText(b.page_token, 'page_token'),
    });
    const models = await loggedModelsByIds(db, page.modelIds);
    return c.json({ models, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
  },
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'get',
    path: '/logged-models/{model_id}',
    scope: 'read',
    summary: 'Get a logged model',
    request: { params: modelPath },
    responses: { 200: json(LoggedModelAnswer, 'the logged model'), ...mlflowErrors },
  }),
  async (c) => c.json({ model: await getLoggedModel(c.get('deps').db, c.req.valid('param').model_id) }),
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'patch',
    path: '/logged-models/{model_id}',
    scope: 'write',
    summary: 'Finalize a logged model',
    request: { params: modelPath, body: loose({ status: 'LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED' }) },
    responses: { 200: json(LoggedModelAnswer, 'the logged model'), ...mlflowErrors },
  }),
  async (c) => c.json({ model: await finalizeLoggedModel(c.get('deps').db, c.req.valid('param').model_id, c.req.valid('json').status) }),
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'delete',
    path: '/logged-models/{model_id}',
    scope: 'write',
    summary: 'Delete a logged model',
    request: { params: modelPath },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    await deleteLoggedModel(c.get('deps').db, c.req.valid('param').model_id);
    return c.json({});
  },
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'patch',
    path: '/logged-models/{model_id}/tags',
    scope: 'write',
    summary: 'Set tags on a logged model',
    request: { params: modelPath, body: loose({ tags: '`[{key, value}]`' }) },
    responses: { 200: json(Done, 'set'), ...mlflowErrors },
  }),
  async (c) => {
    await setLoggedModelTags(c.get('deps').db, c.req.valid('param').model_id, c.req.valid('json').tags);
    return c.json({});
  },
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'delete',
    path: '/logged-models/{model_id}/tags/{tag_key}',
    scope: 'write',
    summary: 'Delete a tag of a logged model',
    request: { params: modelPath.extend({ tag_key: segment('the tag') }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    await deleteLoggedModelTag(c.get('deps').db, p.model_id, p.tag_key);
    return c.json({});
  },
);

serve(
  mlflowLoggedModelRoutes,
  declare({
    method: 'post',
    path: '/logged-models/{model_id}/params',
    scope: 'write',
    summary: 'Log parameters of a logged model',
    request: { params: modelPath, body: loose({ params: '`[{key, value}]`' }) },
    responses: { 200: json(Done, 'logged'), ...mlflowErrors },
  }),
  async (c) => {
    await logLoggedModelParams(c.get('deps').db, c.req.valid('param').model_id, c.req.valid('json').params);
    return c.json({});
  },
);
