import { type SQL, sql } from 'drizzle-orm';
import { alreadyExists, invalid } from '../core/errors';
import type { Db, Query } from '../db/client';
import { iso, selectByKey, textArray, uuidArray } from '../db/sql';
import { appendAudit } from './audit';
import { modelNotFound, versionNotFound } from './errors';
import { lockLinksForRegistry, refreshLinks } from './link-refresh';
import { pageOf } from './mlflow-page';
import { type ModelRef, parseModelSource, runUuidOf, type Stage, stageOf, versionRef } from './uri';

/**
 * The registry's entities and their changes. Every change runs in one transaction with its audit entry,
 * so nothing is changed without its record (and a record never describes a change that did not happen).
 */

export interface ModelVersion {
  name: string;
  version: number;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  /** MLflow 3's logged model the version registers (`m-…`). */
  modelId: string | null;
  description: string | null;
  status: string;
  stage: Stage;
  userId: string | null;
  createdAt: string;
  updatedAt: string;
  createdMs: number;
  updatedMs: number;
  tags: Record<string, string>;
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  description: string | null;
  owner: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  createdMs: number;
  updatedMs: number;
  tags: Record<string, string>;
  aliases: { alias: string; version: number }[];
  /** The latest version in each stage (MLflow's latest_versions). */
  latestVersions: ModelVersion[];
}

const ms = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::bigint`;

/** A model_versions row (alias `v`) as a ModelVersion. */
export const versionJson = (v: string) => {
  const a = sql.identifier(v);
  return sql`json_build_object(
    'name', ${a}.model_name, 'version', ${a}.version, 'source', ${a}.source, 'runId', ${a}.run_id, 'runLink', ${a}.run_link, 'modelId', ${a}.model_id,
    'description', ${a}.description, 'status', ${a}.status, 'stage', ${a}.stage, 'userId', ${a}.user_id,
    'createdAt', ${iso(sql`${a}.created_at`)}, 'updatedAt', ${iso(sql`${a}.updated_at`)},
    'createdMs', ${ms(sql`${a}.created_at`)}, 'updatedMs', ${ms(sql`${a}.updated_at`)},
    'tags', coalesce((select json_object_agg(t.key, t.value order by t.key) from model_version_tags t
      where t.model_name = ${a}.model_name and t.version = ${a}.version), '{}'::json),
    'aliases', coalesce((select json_agg(al.alias order by al.alias) from model_aliases al
      where al.model_name = ${a}.model_name and al.version = ${a}.version), '[]'::json))`;
};

const modelJson = (m: string) => {
  const a = sql.identifier(m);
  return sql`json_build_object(
    'name', ${a}.name, 'description', ${a}.description, 'owner', ${a}.owner, 'createdBy', ${a}.created_by,
    'createdAt', ${iso(sql`${a}.created_at`)}, 'updatedAt', ${iso(sql`${a}.updated_at`)},
    'createdMs', ${ms(sql`${a}.created_at`)}, 'updatedMs', ${ms(sql`${a}.updated_at`)},
    'tags', coalesce((select json_object_agg(t.key, t.value order by t.key) from registered_model_tags t where t.model_name = ${a}.name), '{}'::json),
    'aliases', coalesce((select json_agg(json_build_object('alias', al.alias, 'version', al.version) order by al.alias)
      from model_aliases al where al.model_name = ${a}.name), '[]'::json),
    'latestVersions', coalesce((select json_agg(${versionJson('lv')} order by lv.version)
      from (select distinct on (x.stage) x.* from model_versions x where x.model_name = ${a}.name
            order by x.stage, x.version desc) lv), '[]'::json))`;
};

// ---------------------------------------------------------------------------------------------------------
// Reads

export async function getRegisteredModel(db: Db, name: string): Promise<RegisteredModel> {
  const [row] = await selectByKey<{ json: RegisteredModel }>(
    db,
    sql`select ${modelJson('m')} as json from registered_models m where m.name = ${name}`,
  );
  if (!row) throw modelNotFound(name);
  return row.json;
}

export interface Page {
  maxResults: number;
  /** Opaque to clients; MLflow's own format: base64 of `{"offset": n}`. */
  pageToken?: string;
}

export async function searchRegisteredModels(db: Db, where: SQL, order: SQL, page: Page) {
  const found = await pageOf<RegisteredModel>(
    db,
    sql`select ${modelJson('m')} as json from registered_models m where ${where} order by ${order}`,
    page,
  );
  return { models: found.items, nextPageToken: found.nextPageToken };
}

export async function searchModelVersions(db: Db, where: SQL, order: SQL, page: Page) {
  const found = await pageOf<ModelVersion>(
    db,
    sql`select ${versionJson('v')} as json from model_versions v where ${where} order by ${order}`,
    page,
  );
  return { versions: found.items, nextPageToken: found.nextPageToken };
}

/** A version by number, alias, stage (its latest version there) or `latest`; 404 when there is none. */
/** The version `ref` names, or undefined. */
export async function findVersion(db: Db, ref: ModelRef): Promise<ModelVersion | undefined> {
  const where =
    'version' in ref
      ? sql`v.version = ${ref.version}`
      : 'alias' in ref
        ? sql`v.version = (select al.version from model_aliases al where al.model_name = ${ref.name} and al.alias = ${ref.alias})`
        : 'stage' in ref
          ? sql`v.stage = ${ref.stage}`
          : sql`true`;
  const [row] = await selectByKey<{ json: ModelVersion }>(
    db,
    sql`select ${versionJson('v')} as json from model_versions v where v.model_name = ${ref.name} and ${where}
      order by v.version desc limit 1`,
  );
  return row?.json;
}

/** The version `ref` names; not found names the model when it is the model that is missing. */
export async function resolveVersion(db: Db, ref: ModelRef): Promise<ModelVersion> {
  const found = await findVersion(db, ref);
  if (found) return found;
  await getRegisteredModel(db, ref.name);
  const label = 'version' in ref ? ref.version : 'alias' in ref ? `@${ref.alias}` : 'stage' in ref ? ref.stage : 'latest';
  throw versionNotFound(ref.name, label);
}

/**
 * MLflow's get-by-alias: an unknown model is not found; an unknown alias of a model is an invalid
 * parameter, as MLflow's server answers it (INVALID_PARAMETER_VALUE, 400), not a missing resource.
 * `latest` (any case) is the latest version, as in MLflow.
 */
export async function versionByAlias(db: Db, name: string, alias: string): Promise<ModelVersion> {
  if (alias.toLowerCase() === 'latest') return resolveVersion(db, { name, latest: true });
  const found = await findVersion(db, { name, alias });
  if (found) return found;
  await getRegisteredModel(db, name);
  throw invalid('/alias', `Registered model alias ${alias} not found.`);
}

export const getModelVersion = (db: Db, name: string, version: string) => resolveVersion(db, versionRef(name, version));

// ---------------------------------------------------------------------------------------------------------
// Changes

type Tags = Record<string, string>;

const NAME = /^[^\s/][^/]{0,255}$/;

function checkName(name: unknown, pointer = '/name'): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalid(pointer, 'a model name is 1 to 256 characters, without "/", not starting with a space');
  return name;
}

async function lockModel(query: Query, name: string) {
  const [row] = await query(sql`select name from registered_models where name = ${name} for update`);
  if (!row) throw modelNotFound(name);
}

async function lockVersion(query: Query, name: string, version: number) {
  await lockModel(query, name);
  const [row] = await query<{ stage: Stage; user_id: string | null }>(
    sql`select stage, user_id from model_versions where model_name = ${name} and version = ${version} for update`,
  );
  if (!row) throw versionNotFound(name, version);
  return row;
}

/** MLflow's limits: a tag key is part of an index key, so it is bounded; values are not indexed. */
const MAX_TAG_KEY = 250;
const MAX_TAG_VALUE = 8000;

/** The tags, checked, as the two text arrays the statements below unnest. */
function tagArrays(tags: Tags): { keys: SQL; values: SQL } | undefined {
  const entries = Object.entries(tags);
  for (const [key, value] of entries) {
    if (!key || key.length > MAX_TAG_KEY) throw invalid('/key', `a tag key is 1 to ${MAX_TAG_KEY} characters`);
    if (value.length > MAX_TAG_VALUE) throw invalid('/value', `a tag value is at most ${MAX_TAG_VALUE} characters`);
  }
  if (entries.length === 0) return undefined;
  return { keys: textArray(entries.map(([k]) => k)), values: textArray(entries.map(([, v]) => v)) };
}

async function writeModelTags(query: Query, name: string, tags: Tags) {
  const t = tagArrays(tags);
  if (!t) return;
  await query(sql`insert into registered_model_tags (model_name, key, value)
    select ${name}::text, t.key, t.value from unnest(${t.keys}, ${t.values}) as t(key, value)
    on conflict (model_name, key) do update set value = excluded.value`);
}

async function writeVersionTags(query: Query, name: string, version: number, tags: Tags) {
  const t = tagArrays(tags);
  if (!t) return;
  await query(sql`insert into model_version_tags (model_name, version, key, value)
    select ${name}, ${version}::int, t.key, t.value from unnest(${t.keys}, ${t.values}) as t(key, value)
    on conflict (model_name, version, key) do update set value = excluded.value`);
}

export async function createRegisteredModel(db: Db, actor: string, input: { name: unknown; description?: string; tags?: Tags }) {
  const name = checkName(input.name);
  await db.transaction(async (query) => {
    const inserted = await query(sql`insert into registered_models (name, description, owner, created_by, created_at, updated_at)
      values (${name}, ${input.description ?? null}, ${actor}, ${actor}, now(), now()) on conflict (name) do nothing returning name`);
    if (inserted.length === 0) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
    await writeModelTags(query, name, input.tags ?? {});
    await appendAudit(query, {
      actor,
      action: 'model.registered',
      modelName: name,
      detail: { description: input.description ?? null, tags: input.tags ?? {} },
    });
  });
  return getRegisteredModel(db, name);
}

export async function updateRegisteredModel(db: Db, actor: string, name: string, description: string | null) {
  await db.transaction(async (query) => {
    await lockModel(query, name);
    await query(sql`update registered_models set description = ${description}, updated_at = now() where name = ${name}`);
    await appendAudit(query, { actor, action: 'model.updated', modelName: name, detail: { description } });
  });
  return getRegisteredModel(db, name);
}

export async function deleteRegisteredModel(db: Db, actor: string, name: string) {
  await db.transaction(async (query) => {
    await lockLinksForRegistry(query);
    await lockModel(query, name);
    const versions = await query<{ version: number }>(sql`select version from model_versions where model_name = ${name}`);
    // Its tags and versions, and everything of theirs, go with it (foreign keys, ON DELETE CASCADE).
    await query(sql`delete from registered_models where name = ${name}`);
    // Versions of other models copied from its versions lose what they inherited.
    await refreshLinks(
      query,
      versions.map((v) => ({ name, version: Number(v.version) })),
    );
    await appendAudit(query, { actor, action: 'model.deleted', modelName: name, detail: {} });
  });
}

export async function setRegisteredModelTag(db: Db, actor: string, name: string, key: string, value: string) {
  await db.transaction(async (query) => {
    await lockModel(query, name);
    await writeModelTags(query, name, { [key]: value });
    await appendAudit(query, { actor, action: 'model.tag_set', modelName: name, detail: { key, value } });
  });
}

export async function deleteRegisteredModelTag(db: Db, actor: string, name: string, key: string) {
  await db.transaction(async (query) => {
    await lockModel(query, name);
    await query(sql`delete from registered_model_tags where model_name = ${name} and key = ${key}`);
    await appendAudit(query, { actor, action: 'model.tag_deleted', modelName: name, detail: { key } });
  });
}

export interface NewVersion {
  name: unknown;
  source?: unknown;
  runId?: unknown;
  runLink?: unknown;
  /** MLflow 3's logged model; else the one a `models:/m-…` source names. */
  modelId?: unknown;
  description?: unknown;
  tags?: Tags;
}

/** A logged model's id in a `models:/<model_id>` source (MLflow 3's register_model sends both). */
const loggedModelOf = (source: string | null) => (source ? (/^models:\/+(m-[0-9a-f]{32})\/?$/.exec(source.trim())?.[1] ?? null) : null);

const optionalText = (v: unknown, pointer: string, max = 65_536) => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(pointer, `${pointer.slice(1)} must be a string`);
  if (v.length > max) throw invalid(pointer, `${pointer.slice(1)} is longer than ${max} characters`);
  return v;
};

/** Registers the next version of a model (numbered from 1, under the model's row lock). */
export async function createModelVersion(db: Db, actor: string, input: NewVersion): Promise<ModelVersion> {
  const name = checkName(input.name);
  const source = optionalText(input.source, '/source');
  // run_id is indexed: bounded like a key.
  const runId = optionalText(input.runId, '/run_id', 256);
  const modelId = optionalText(input.modelId, '/model_id', 256) ?? loggedModelOf(source);
  const parsed = parseModelSource(source);
  const version = await db.transaction(async (query) => {
    await lockLinksForRegistry(query);
    await lockModel(query, name);
    const [next] = await query<{ v: number }>(
      sql`select coalesce(max(version), 0)::int + 1 as v from model_versions where model_name = ${name}`,
    );
    const v = Number(next!.v);
    const sourceModel = parsed.model && 'version' in parsed.model ? parsed.model : undefined;
    await query(sql`insert into model_versions (model_name, version, source, run_id, run_link, description, status, stage, user_id,
        run_uuid, source_dataset_ids, source_model_name, source_model_version, model_id, created_at, updated_at)
      values (${name}, ${v}, ${source}, ${runId}, ${optionalText(input.runLink, '/run_link')}, ${optionalText(input.description, '/description')},
        'READY', 'None', ${actor}, ${runUuidOf(runId, parsed)}, ${uuidArray(parsed.datasetIds)},
        ${parsed.model?.name ?? null}, ${sourceModel?.version ?? null}, ${modelId}, now(), now())`);
    await writeVersionTags(query, name, v, input.tags ?? {});
    await refreshLinks(query, [{ name, version: v }]);
    await query(sql`update registered_models set updated_at = now() where name = ${name}`);
    await appendAudit(query, {
      actor,
      action: 'version.registered',
      modelName: name,
      version: v,
      detail: { source, runId, tags: input.tags ?? {} },
    });
    return v;
  });
  return resolveVersion(db, { name, version });
}

export async function updateModelVersion(db: Db, actor: string, name: string, version: number, description: string | null) {
  await db.transaction(async (query) => {
    await lockVersion(query, name, version);
    await query(
      sql`update model_versions set description = ${description}, updated_at = now() where model_name = ${name} and version = ${version}`,
    );
    await appendAudit(query, { actor, action: 'version.updated', modelName: name, version, detail: { description } });
  });
  return resolveVersion(db, { name, version });
}

export async function deleteModelVersion(db: Db, actor: string, name: string, version: number) {
  await db.transaction(async (query) => {
    await lockLinksForRegistry(query);
    await lockVersion(query, name, version);
    // Its tags, aliases, approvals, card, links and decisions go with it (foreign keys, ON DELETE CASCADE);
    // the versions copied from it lose what they inherited.
    await query(sql`delete from model_versions where model_name = ${name} and version = ${version}`);
    await refreshLinks(query, [{ name, version }]);
    await appendAudit(query, { actor, action: 'version.deleted', modelName: name, version, detail: {} });
  });
}

/** The version tags that are evidence of links: changing one refreshes the version's links. */
const LINK_TAGS = new Set(['dataset_version']);

export async function setModelVersionTag(db: Db, actor: string, name: string, version: number, key: string, value: string) {
  await db.transaction(async (query) => {
    if (LINK_TAGS.has(key)) await lockLinksForRegistry(query);
    await lockVersion(query, name, version);
    await writeVersionTags(query, name, version, { [key]: value });
    if (LINK_TAGS.has(key)) await refreshLinks(query, [{ name, version }]);
    await appendAudit(query, { actor, action: 'version.tag_set', modelName: name, version, detail: { key, value } });
  });
}

export async function deleteModelVersionTag(db: Db, actor: string, name: string, version: number, key: string) {
  await db.transaction(async (query) => {
    if (LINK_TAGS.has(key)) await lockLinksForRegistry(query);
    await lockVersion(query, name, version);
    await query(sql`delete from model_version_tags where model_name = ${name} and version = ${version} and key = ${key}`);
    if (LINK_TAGS.has(key)) await refreshLinks(query, [{ name, version }]);
    await appendAudit(query, { actor, action: 'version.tag_deleted', modelName: name, version, detail: { key } });
  });
}

export async function setAlias(db: Db, actor: string, name: string, alias: string, version: number) {
  if (alias.length > 255) throw invalid('/alias', 'an alias is at most 255 characters');
  if (!alias || /^v?\d+$/i.test(alias) || alias.toLowerCase() === 'latest') {
    throw invalid('/alias', `'${alias}' cannot be an alias: it reads as a version number or 'latest'`);
  }
  await db.transaction(async (query) => {
    await lockVersion(query, name, version);
    const [before] = await query<{ version: number }>(
      sql`select version from model_aliases where model_name = ${name} and alias = ${alias}`,
    );
    await query(sql`insert into model_aliases (model_name, alias, version, updated_at) values (${name}, ${alias}, ${version}, now())
      on conflict (model_name, alias) do update set version = excluded.version, updated_at = now()`);
    await appendAudit(query, {
      actor,
      action: 'alias.set',
      modelName: name,
      version,
      detail: { alias, from: before ? Number(before.version) : null },
    });
  });
}

export async function deleteAlias(db: Db, actor: string, name: string, alias: string) {
  await db.transaction(async (query) => {
    await lockModel(query, name);
    const [before] = await query<{ version: number }>(
      sql`delete from model_aliases where model_name = ${name} and alias = ${alias} returning version`,
    );
    // Deleting an alias that is not there changes nothing: MLflow answers it as done, and so no record.
    if (!before) return;
    await appendAudit(query, { actor, action: 'alias.deleted', modelName: name, version: Number(before.version), detail: { alias } });
  });
}

/**
 * Moves a version to a stage. `check` runs inside the transaction, after the row is locked (the promotion
 * policy for Production); whatever it throws refuses the move. With `archiveExisting`, the other versions
 * in the target stage go to Archived, each with its own audit entry.
 */
export async function transitionStage(
  db: Db,
  actor: string,
  input: { name: string; version: number; stage: string; archiveExisting: boolean; comment?: string },
  check: (query: Query) => Promise<void>,
): Promise<ModelVersion> {
  const stage = stageOf(input.stage);
  if (!stage) throw invalid('/stage', `stage must be one of None, Staging, Production, Archived; got '${input.stage}'`);
  const { name, version } = input;
  await db.transaction(async (query) => {
    const before = await lockVersion(query, name, version);
    if (stage === 'Production') await check(query);
    await query(sql`update model_versions set stage = ${stage}, updated_at = now() where model_name = ${name} and version = ${version}`);
    await appendAudit(query, {
      actor,
      action: 'version.stage_changed',
      modelName: name,
      version,
      detail: { from: before.stage, to: stage, archiveExisting: input.archiveExisting, comment: input.comment ?? null },
    });
    if (input.archiveExisting && stage !== 'None' && stage !== 'Archived') {
      const archived = await query<{ version: number }>(sql`update model_versions set stage = 'Archived', updated_at = now()
        where model_name = ${name} and stage = ${stage} and version <> ${version} returning version`);
      for (const a of archived) {
        await appendAudit(query, {
          actor,
          action: 'version.stage_changed',
          modelName: name,
          version: Number(a.version),
          detail: { from: stage, to: 'Archived', archivedBy: version },
        });
      }
    }
  });
  return resolveVersion(db, { name, version });
}
