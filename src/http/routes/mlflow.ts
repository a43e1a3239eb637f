import { z } from '@hono/zod-openapi';
import type { Db } from '../../db/client';
import { filterSql, orderSql } from '../../models/mlflow-filter';
import {
  createRegisteredModel,
  deleteAlias,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getRegisteredModel,
  searchRegisteredModels,
  setAlias,
  setRegisteredModelTag,
  updateRegisteredModel,
  versionByAlias,
} from '../../models/registry';
import { renameRegisteredModel } from '../../models/registry-rename';
import type { Stage } from '../../models/uri';
import { declare, router, serve } from '../declare';
import { json } from '../schemas/common';
import {
  Done,
  ModelVersionAnswer,
  ModelVersionsAnswer,
  maxResults,
  mlflowBody,
  mlflowErrors,
  mlflowModel,
  mlflowVersion,
  optional,
  orderBy,
  RegisteredModelAnswer,
  RegisteredModelsPage,
  required,
  stages,
  tags,
  version,
} from '../schemas/mlflow';
import { requiredText, text } from '../schemas/params';
import { mlflowVersionRoutes } from './mlflow-versions';

/**
 * The MLflow model-registry REST API (2.0), the subset MLflow clients use, in MLflow's request and answer
 * shapes (schemas/mlflow.ts). Errors answer `{error_code, message}` (rendered by the app's error handler
 * for this prefix). Registered models here; their versions in mlflow-versions.ts.
 */
export const mlflowRoutes = router();

const name = required('registered model name');
const nameParam = requiredText('registered model name');

serve(
  mlflowRoutes,
  declare({
    method: 'post',
    path: '/registered-models/create',
    scope: 'write',
    summary: 'Create a registered model',
    request: { body: mlflowBody({ name, description: optional('description'), tags }) },
    responses: { 200: json(RegisteredModelAnswer, 'the model'), ...mlflowErrors },
  }),
  async (c) => {
    const model = await createRegisteredModel(c.get('deps').db, c.get('actor').name, c.req.valid('json'));
    return c.json({ registered_model: mlflowModel(model) });
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'get',
    path: '/registered-models/get',
    scope: 'read',
    summary: 'Get a registered model',
    request: { query: z.object({ name: nameParam }) },
    responses: { 200: json(RegisteredModelAnswer, 'the model'), ...mlflowErrors },
  }),
  async (c) => c.json({ registered_model: mlflowModel(await getRegisteredModel(c.get('deps').db, c.req.valid('query').name)) }),
);

const search = z.object({
  filter: text(
    "MLflow's filter: `name` and `tags.<key>` (or `tag.<key>`, the key backquoted if need be) with `=`, `!=`, `LIKE`, `ILIKE`, joined by AND",
    65_536,
  ),
  max_results: maxResults(100, 1000),
  order_by: orderBy,
  page_token: text('the previous page’s `next_page_token`'),
});

async function modelsPage(db: Db, q: z.infer<typeof search>) {
  const page = await searchRegisteredModels(db, filterSql('model', q.filter), orderSql('model', q.order_by), {
    maxResults: q.max_results,
    pageToken: q.page_token,
  });
  return {
    registered_models: page.models.map(mlflowModel),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  };
}

for (const [path, summary] of [
  ['/registered-models/search', 'Search registered models'],
  ['/registered-models/list', 'List registered models (older clients)'],
] as const) {
  serve(
    mlflowRoutes,
    declare({
      method: 'get',
      path,
      scope: 'read',
      summary,
      request: { query: search },
      responses: { 200: json(RegisteredModelsPage, 'a page of models'), ...mlflowErrors },
    }),
    async (c) => c.json(await modelsPage(c.get('deps').db, c.req.valid('query'))),
  );
}

serve(
  mlflowRoutes,
  declare({
    method: 'patch',
    path: '/registered-models/update',
    scope: 'write',
    summary: 'Update a registered model',
    request: { body: mlflowBody({ name, description: optional('the new description; absent or empty clears it') }) },
    responses: { 200: json(RegisteredModelAnswer, 'the model'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    const model = await updateRegisteredModel(c.get('deps').db, c.get('actor').name, b.name, b.description ?? null);
    return c.json({ registered_model: mlflowModel(model) });
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'post',
    path: '/registered-models/rename',
    scope: 'write',
    summary: 'Rename a registered model',
    description:
      'Its versions, tags, aliases, approvals, cards, links, link decisions and deployments follow; the audit log records it (`model.renamed`, naming both). RESOURCE_ALREADY_EXISTS when the new name is taken.',
    request: { body: mlflowBody({ name, new_name: required('the new name') }) },
    responses: { 200: json(RegisteredModelAnswer, 'the model, renamed'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    const model = await renameRegisteredModel(c.get('deps').db, c.get('actor').name, b.name, b.new_name);
    return c.json({ registered_model: mlflowModel(model) });
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'delete',
    path: '/registered-models/delete',
    scope: 'write',
    summary: 'Delete a registered model, its versions and their aliases, approvals, cards and link decisions',
    request: { body: mlflowBody({ name }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    await deleteRegisteredModel(c.get('deps').db, c.get('actor').name, c.req.valid('json').name);
    return c.json({});
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'post',
    path: '/registered-models/set-tag',
    scope: 'write',
    summary: 'Set a registered model tag',
    request: { body: mlflowBody({ name, key: required('tag key'), value: optional('tag value; absent is empty') }) },
    responses: { 200: json(Done, 'set'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await setRegisteredModelTag(c.get('deps').db, c.get('actor').name, b.name, b.key, b.value ?? '');
    return c.json({});
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'delete',
    path: '/registered-models/delete-tag',
    scope: 'write',
    summary: 'Delete a registered model tag',
    request: { body: mlflowBody({ name, key: required('tag key') }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await deleteRegisteredModelTag(c.get('deps').db, c.get('actor').name, b.name, b.key);
    return c.json({});
  },
);

const alias = required('alias');

serve(
  mlflowRoutes,
  declare({
    method: 'post',
    path: '/registered-models/alias',
    scope: 'write',
    summary: 'Point an alias at a version (moving it from the version it named)',
    request: { body: mlflowBody({ name, alias, version }) },
    responses: { 200: json(Done, 'set'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await setAlias(c.get('deps').db, c.get('actor').name, b.name, b.alias, b.version);
    return c.json({});
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'delete',
    path: '/registered-models/alias',
    scope: 'write',
    summary: 'Delete an alias',
    request: { body: mlflowBody({ name, alias }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await deleteAlias(c.get('deps').db, c.get('actor').name, b.name, b.alias);
    return c.json({});
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'get',
    path: '/registered-models/alias',
    scope: 'read',
    summary: 'Get the version an alias names',
    request: { query: z.object({ name: nameParam, alias: requiredText('alias') }) },
    responses: { 200: json(ModelVersionAnswer, 'the version'), ...mlflowErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json({ model_version: mlflowVersion(await versionByAlias(c.get('deps').db, q.name, q.alias)) });
  },
);

/** The latest version in each stage, or in the stages asked for. */
async function latestVersions(db: Db, name: string, only: Stage[]) {
  const model = await getRegisteredModel(db, name);
  const versions = model.latestVersions.filter((v) => only.length === 0 || only.includes(v.stage));
  return { model_versions: versions.map(mlflowVersion) };
}

serve(
  mlflowRoutes,
  declare({
    method: 'post',
    path: '/registered-models/get-latest-versions',
    scope: 'read',
    summary: 'The latest version in each stage',
    request: { body: mlflowBody({ name, stages }) },
    responses: { 200: json(ModelVersionsAnswer, 'the versions'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    return c.json(await latestVersions(c.get('deps').db, b.name, b.stages));
  },
);

serve(
  mlflowRoutes,
  declare({
    method: 'get',
    path: '/registered-models/get-latest-versions',
    scope: 'read',
    summary: 'The latest version in each stage',
    request: { query: z.object({ name: nameParam, stages }) },
    responses: { 200: json(ModelVersionsAnswer, 'the versions'), ...mlflowErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(await latestVersions(c.get('deps').db, q.name, q.stages));
  },
);

mlflowRoutes.route('/', mlflowVersionRoutes);
