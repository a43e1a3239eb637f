import type { Context } from 'hono';
import { Hono } from 'hono';
import { invalid } from '../../core/errors';
import { filterSql, orderSql } from '../../models/mlflow-filter';
import {
  createModelVersion,
  createRegisteredModel,
  deleteAlias,
  deleteModelVersion,
  deleteModelVersionTag,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getModelVersion,
  getRegisteredModel,
  type ModelVersion,
  type RegisteredModel,
  resolveVersion,
  searchModelVersions,
  searchRegisteredModels,
  setAlias,
  setModelVersionTag,
  setRegisteredModelTag,
  updateModelVersion,
  updateRegisteredModel,
} from '../../models/registry';
import { moveToStage } from '../../models/stage';
import { STAGES, stageOf } from '../../models/uri';
import type { AppEnv } from '../context';
import { jsonBody } from '../json-body';

/**
 * The MLflow model-registry REST API (2.0), the subset MLflow clients use, with MLflow's request and
 * response shapes: versions are strings, times are epoch milliseconds, tags are `[{key, value}]`. GETs take
 * their parameters from the query string, other methods from a JSON body (or the query string). Errors
 * answer `{error_code, message}` (rendered by the app's error handler for this prefix).
 */
export const mlflowRoutes = new Hono<AppEnv>();

type Args = Record<string, unknown>;

/** A request's parameters: the query for GET, else the JSON body over the query. */
async function args(c: Context<AppEnv>): Promise<Args> {
  const query: Args = {};
  const url = new URL(c.req.url);
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    if (all.some((v) => v.includes('\u0000'))) throw invalid(`/${key}`, `${key} must not contain NUL characters`);
    query[key] = key === 'order_by' || key === 'stages' ? all : all[0];
  }
  if (c.req.method === 'GET') return query;
  return { ...query, ...(await jsonBody(c)) };
}

const str = (a: Args, key: string, required = true): string => {
  const v = a[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  if (!required) return '';
  throw invalid(`/${key}`, `Missing value for required parameter '${key}'.`);
};

const versionNumber = (a: Args): number => {
  const v = str(a, 'version');
  if (!/^\d+$/.test(v)) throw invalid('/version', `Invalid version '${v}': a model version is a positive integer.`);
  return Number(v);
};

const bool = (a: Args, key: string) => a[key] === true || a[key] === 'true' || a[key] === 'True';

/** `[{key, value}]` as a map; a tag without a string key is refused. */
function tagMap(value: unknown, pointer = '/tags'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw invalid(pointer, 'tags must be a list of {key, value}');
  const out: Record<string, string> = {};
  for (const [i, t] of value.entries()) {
    if (typeof t?.key !== 'string' || !t.key) throw invalid(`${pointer}/${i}/key`, 'a tag needs a key');
    out[t.key] = t.value === undefined || t.value === null ? '' : String(t.value);
  }
  return out;
}

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

export function mlflowVersion(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdMs,
    last_updated_timestamp: v.updatedMs,
    user_id: v.userId ?? '',
    current_stage: v.stage,
    description: v.description ?? '',
    source: v.source ?? '',
    run_id: v.runId ?? '',
    status: v.status,
    tags: tagList(v.tags),
    run_link: v.runLink ?? '',
    aliases: v.aliases,
  };
}

export function mlflowModel(m: RegisteredModel) {
  return {
    name: m.name,
    creation_timestamp: m.createdMs,
    last_updated_timestamp: m.updatedMs,
    user_id: m.createdBy ?? '',
    description: m.description ?? '',
    latest_versions: m.latestVersions.map(mlflowVersion),
    tags: tagList(m.tags),
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
}

const maxResults = (a: Args, fallback: number, cap: number) => {
  const raw = a.max_results;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw invalid('/max_results', 'max_results must be a positive integer');
  if (n > cap) throw invalid('/max_results', `max_results must be at most ${cap}`);
  return n;
};

const orderBy = (a: Args) => (Array.isArray(a.order_by) ? a.order_by : a.order_by ? [a.order_by] : []).map(String);

// ---------------------------------------------------------------------------------------------------------
// Registered models

mlflowRoutes.post('/registered-models/create', async (c) => {
  const a = await args(c);
  const { db } = c.get('deps');
  const model = await createRegisteredModel(db, c.get('actor').name, {
    name: a.name,
    ...(typeof a.description === 'string' ? { description: a.description } : {}),
    tags: tagMap(a.tags),
  });
  return c.json({ registered_model: mlflowModel(model) });
});

mlflowRoutes.get('/registered-models/get', async (c) => {
  const a = await args(c);
  return c.json({ registered_model: mlflowModel(await getRegisteredModel(c.get('deps').db, str(a, 'name'))) });
});

const searchModels = async (c: Context<AppEnv>) => {
  const a = await args(c);
  const page = await searchRegisteredModels(
    c.get('deps').db,
    filterSql('model', a.filter as string | undefined),
    orderSql('model', orderBy(a)),
    { maxResults: maxResults(a, 100, 1000), ...(a.page_token ? { pageToken: String(a.page_token) } : {}) },
  );
  return c.json({
    registered_models: page.models.map(mlflowModel),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  });
};
mlflowRoutes.get('/registered-models/search', searchModels);
mlflowRoutes.get('/registered-models/list', searchModels);

mlflowRoutes.patch('/registered-models/update', async (c) => {
  const a = await args(c);
  const model = await updateRegisteredModel(c.get('deps').db, c.get('actor').name, str(a, 'name'), str(a, 'description', false) || null);
  return c.json({ registered_model: mlflowModel(model) });
});

mlflowRoutes.delete('/registered-models/delete', async (c) => {
  const a = await args(c);
  await deleteRegisteredModel(c.get('deps').db, c.get('actor').name, str(a, 'name'));
  return c.json({});
});

mlflowRoutes.post('/registered-models/set-tag', async (c) => {
  const a = await args(c);
  await setRegisteredModelTag(c.get('deps').db, c.get('actor').name, str(a, 'name'), str(a, 'key'), str(a, 'value', false));
  return c.json({});
});

mlflowRoutes.delete('/registered-models/delete-tag', async (c) => {
  const a = await args(c);
  await deleteRegisteredModelTag(c.get('deps').db, c.get('actor').name, str(a, 'name'), str(a, 'key'));
  return c.json({});
});

mlflowRoutes.post('/registered-models/alias', async (c) => {
  const a = await args(c);
  await setAlias(c.get('deps').db, c.get('actor').name, str(a, 'name'), str(a, 'alias'), versionNumber(a));
  return c.json({});
});

mlflowRoutes.delete('/registered-models/alias', async (c) => {
  const a = await args(c);
  await deleteAlias(c.get('deps').db, c.get('actor').name, str(a, 'name'), str(a, 'alias'));
  return c.json({});
});

mlflowRoutes.get('/registered-models/alias', async (c) => {
  const a = await args(c);
  const v = await resolveVersion(c.get('deps').db, { name: str(a, 'name'), alias: str(a, 'alias') });
  return c.json({ model_version: mlflowVersion(v) });
});

const latestVersions = async (c: Context<AppEnv>) => {
  const a = await args(c);
  const model = await getRegisteredModel(c.get('deps').db, str(a, 'name'));
  const stages = (Array.isArray(a.stages) ? a.stages : a.stages ? [a.stages] : []).map((s) => {
    const stage = stageOf(String(s));
    if (!stage) throw invalid('/stages', `Invalid Model Version stage: ${s}. Value must be one of ${STAGES.join(', ')}.`);
    return stage;
  });
  const versions = model.latestVersions.filter((v) => stages.length === 0 || stages.includes(v.stage));
  return c.json({ model_versions: versions.map(mlflowVersion) });
};
mlflowRoutes.post('/registered-models/get-latest-versions', latestVersions);
mlflowRoutes.get('/registered-models/get-latest-versions', latestVersions);

// ---------------------------------------------------------------------------------------------------------
// Model versions

mlflowRoutes.post('/model-versions/create', async (c) => {
  const a = await args(c);
  const v = await createModelVersion(c.get('deps').db, c.get('actor').name, {
    name: a.name,
    source: a.source,
    runId: a.run_id,
    runLink: a.run_link,
    description: a.description,
    tags: tagMap(a.tags),
  });
  return c.json({ model_version: mlflowVersion(v) });
});

mlflowRoutes.get('/model-versions/get', async (c) => {
  const a = await args(c);
  return c.json({ model_version: mlflowVersion(await getModelVersion(c.get('deps').db, str(a, 'name'), String(versionNumber(a)))) });
});

/** Where the version's artifact is (what `mlflow.pyfunc.load_model("models:/…")` downloads from). */
mlflowRoutes.get('/model-versions/get-download-uri', async (c) => {
  const a = await args(c);
  const v = await getModelVersion(c.get('deps').db, str(a, 'name'), String(versionNumber(a)));
  return c.json({ artifact_uri: v.source ?? '' });
});

mlflowRoutes.get('/model-versions/search', async (c) => {
  const a = await args(c);
  const page = await searchModelVersions(
    c.get('deps').db,
    filterSql('version', a.filter as string | undefined),
    orderSql('version', orderBy(a)),
    { maxResults: maxResults(a, 10_000, 200_000), ...(a.page_token ? { pageToken: String(a.page_token) } : {}) },
  );
  return c.json({
    model_versions: page.versions.map(mlflowVersion),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  });
});

mlflowRoutes.patch('/model-versions/update', async (c) => {
  const a = await args(c);
  const v = await updateModelVersion(
    c.get('deps').db,
    c.get('actor').name,
    str(a, 'name'),
    versionNumber(a),
    str(a, 'description', false) || null,
  );
  return c.json({ model_version: mlflowVersion(v) });
});

mlflowRoutes.delete('/model-versions/delete', async (c) => {
  const a = await args(c);
  await deleteModelVersion(c.get('deps').db, c.get('actor').name, str(a, 'name'), versionNumber(a));
  return c.json({});
});

mlflowRoutes.post('/model-versions/set-tag', async (c) => {
  const a = await args(c);
  await setModelVersionTag(c.get('deps').db, c.get('actor').name, str(a, 'name'), versionNumber(a), str(a, 'key'), str(a, 'value', false));
  return c.json({});
});

mlflowRoutes.delete('/model-versions/delete-tag', async (c) => {
  const a = await args(c);
  await deleteModelVersionTag(c.get('deps').db, c.get('actor').name, str(a, 'name'), versionNumber(a), str(a, 'key'));
  return c.json({});
});

/** Moving to Production applies the promotion policy: a refusal names each unmet rule. */
mlflowRoutes.post('/model-versions/transition-stage', async (c) => {
  const a = await args(c);
  const { db, config } = c.get('deps');
  const v = await moveToStage(db, config.policy, c.get('actor').name, {
    name: str(a, 'name'),
    version: versionNumber(a),
    stage: str(a, 'stage'),
    archiveExisting: bool(a, 'archive_existing_versions'),
    ...(typeof a.comment === 'string' ? { comment: a.comment } : {}),
  });
  return c.json({ model_version: mlflowVersion(v) });
});
