import { z } from '@hono/zod-openapi';
import { filterSql, orderSql } from '../../models/mlflow-filter';
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  resolveVersion,
  searchModelVersions,
  setModelVersionTag,
  updateModelVersion,
} from '../../models/registry';
import { moveToStage } from '../../models/stage';
import { loggedModelArtifactUri } from '../../tracking/logged-models';
import { declare, router, serve } from '../declare';
import { json, mlflowError } from '../schemas/common';
import {
  Done,
  flag,
  ModelVersionAnswer,
  ModelVersionsPage,
  maxResults,
  mlflowBody,
  mlflowErrors,
  mlflowVersion,
  optional,
  orderBy,
  required,
  tags,
  version,
  versionParam,
} from '../schemas/mlflow';
import { stage } from '../schemas/models';
import { requiredText, text } from '../schemas/params';

/** MLflow's model-version routes (see mlflow.ts). */
export const mlflowVersionRoutes = router();

const name = required('registered model name');
const versionQuery = z.object({ name: requiredText('registered model name'), version: versionParam });

serve(
  mlflowVersionRoutes,
  declare({
    method: 'post',
    path: '/model-versions/create',
    scope: 'write',
    summary: 'Register the next version of a model',
    description:
      'It is linked to the OpenLineage runs that trained it by its run_id, the MLflow run id on a run’s tags, or its source (an artifact a run wrote).',
    request: {
      body: mlflowBody({
        name,
        source: optional('the artifact URI: `s3://…`, `runs:/<run_id>/…`, `models:/<name>/<version>`'),
        run_id: optional('the run that trained it: an OpenLineage run id, or MLflow’s'),
        run_link: optional('a link to the run'),
        model_id: optional('MLflow 3’s logged model (`m-…`): linked through the run that logged it'),
        description: optional('description'),
        tags,
      }),
    },
    responses: { 200: json(ModelVersionAnswer, 'the version'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    const v = await createModelVersion(c.get('deps').db, c.get('actor').name, {
      name: b.name,
      source: b.source,
      runId: b.run_id,
      runLink: b.run_link,
      modelId: b.model_id,
      description: b.description,
      tags: b.tags,
    });
    return c.json({ model_version: mlflowVersion(v) });
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'get',
    path: '/model-versions/get',
    scope: 'read',
    summary: 'Get a model version',
    request: { query: versionQuery },
    responses: { 200: json(ModelVersionAnswer, 'the version'), ...mlflowErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json({ model_version: mlflowVersion(await resolveVersion(c.get('deps').db, q)) });
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'get',
    path: '/model-versions/get-download-uri',
    scope: 'read',
    summary: 'Where the version’s artifact is (what `mlflow.pyfunc.load_model("models:/…")` downloads)',
    description: 'Its source; for a version of a logged model, the logged model’s artifact location.',
    request: { query: versionQuery },
    responses: { 200: json(z.object({ artifact_uri: z.string() }), 'the artifact URI'), ...mlflowErrors },
  }),
  async (c) => {
    const db = c.get('deps').db;
    const v = await resolveVersion(db, c.req.valid('query'));
    // A version of MLflow 3's logged model (`models:/m-…`) is downloaded from the logged model's files.
    const logged = v.modelId ? await loggedModelArtifactUri(db, v.modelId) : null;
    return c.json({ artifact_uri: logged ?? v.source ?? '' });
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'get',
    path: '/model-versions/search',
    scope: 'read',
    summary: 'Search model versions',
    request: {
      query: z.object({
        filter: text(
          "MLflow's filter: `name`, `run_id` (also `IN ('a', 'b')`), `source_path`, `version_number` (`<`, `>=`, …), `tags.<key>`, joined by AND",
          65_536,
        ),
        max_results: maxResults(10_000, 200_000),
        order_by: orderBy,
        page_token: text('the previous page’s `next_page_token`'),
      }),
    },
    responses: { 200: json(ModelVersionsPage, 'a page of versions'), ...mlflowErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const page = await searchModelVersions(c.get('deps').db, filterSql('version', q.filter), orderSql('version', q.order_by), {
      maxResults: q.max_results,
      pageToken: q.page_token,
    });
    return c.json({
      model_versions: page.versions.map(mlflowVersion),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    });
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'patch',
    path: '/model-versions/update',
    scope: 'write',
    summary: 'Update a model version',
    request: { body: mlflowBody({ name, version, description: optional('the new description; absent or empty clears it') }) },
    responses: { 200: json(ModelVersionAnswer, 'the version'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    const v = await updateModelVersion(c.get('deps').db, c.get('actor').name, b.name, b.version, b.description ?? null);
    return c.json({ model_version: mlflowVersion(v) });
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'delete',
    path: '/model-versions/delete',
    scope: 'write',
    summary: 'Delete a model version',
    request: { body: mlflowBody({ name, version }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await deleteModelVersion(c.get('deps').db, c.get('actor').name, b.name, b.version);
    return c.json({});
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'post',
    path: '/model-versions/set-tag',
    scope: 'write',
    summary: 'Set a model version tag',
    request: { body: mlflowBody({ name, version, key: required('tag key'), value: optional('tag value; absent is empty') }) },
    responses: { 200: json(Done, 'set'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await setModelVersionTag(c.get('deps').db, c.get('actor').name, b.name, b.version, b.key, b.value ?? '');
    return c.json({});
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'delete',
    path: '/model-versions/delete-tag',
    scope: 'write',
    summary: 'Delete a model version tag',
    request: { body: mlflowBody({ name, version, key: required('tag key') }) },
    responses: { 200: json(Done, 'deleted'), ...mlflowErrors },
  }),
  async (c) => {
    const b = c.req.valid('json');
    await deleteModelVersionTag(c.get('deps').db, c.get('actor').name, b.name, b.version, b.key);
    return c.json({});
  },
);

serve(
  mlflowVersionRoutes,
  declare({
    method: 'post',
    path: '/model-versions/transition-stage',
    scope: 'write',
    summary: 'Move a version to a stage; Production applies the promotion policy',
    request: {
      body: mlflowBody({
        name,
        version,
        stage,
        archive_existing_versions: flag.openapi({ description: 'move the other versions in that stage to Archived' }),
        comment: optional('why, kept in the audit log'),
      }),
    },
    responses: {
      200: json(ModelVersionAnswer, 'the version'),
      ...mlflowErrors,
      409: mlflowError('INVALID_STATE: the promotion policy refuses; `details` names each unmet rule (`/policy/<rule>`)'),
    },
  }),
  async (c) => {
    const b = c.req.valid('json');
    const { db, config } = c.get('deps');
    const v = await moveToStage(db, config.policy, c.get('actor').name, {
      name: b.name,
      version: b.version,
      stage: b.stage,
      archiveExisting: b.archive_existing_versions,
      comment: b.comment,
    });
    return c.json({ model_version: mlflowVersion(v) });
  },
);
