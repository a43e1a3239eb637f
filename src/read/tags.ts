import { sql } from 'drizzle-orm';
import { invalid, notFound } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';
import { ids } from '../ids';
import { getDataset } from './datasets';
import { refreshDocuments } from './documents';
import { getJob } from './jobs';
import type { Page } from './page';

type Json = Record<string, unknown>;

export const MAX_TAG = 255;

function checkTag(tag: string) {
  if (tag.trim() === '' || tag.length > MAX_TAG) {
    throw invalid('/tag', 'invalid tag name', `a tag is 1 to ${MAX_TAG} characters`);
  }
}

export async function listTags(db: Db, page: Page) {
  const [row] = await select<{ items: Json[] }>(
    db,
    sql`select coalesce(json_agg(json_build_object('name', t.name, 'description', t.description) order by t.name), '[]'::json) as items
      from (select * from tags order by name limit ${page.limit} offset ${page.offset}) t`,
  );
  return { tags: row!.items };
}

/** Creates the tag or updates its description; answers the Tag (as Marquez does, not a TagList). */
export async function putTag(db: Db, name: string, description: string | null): Promise<Json> {
  checkTag(name);
  const [row] = await select<Json>(
    db,
    sql`insert into tags (name, description, created_at, updated_at) values (${name}, ${description}, now(), now())
      on conflict (name) do update set description = excluded.description, updated_at = now()
      returning name, description`,
  );
  return row!;
}

const ensureTag = (tag: string) =>
  sql`insert into tags (name, description, created_at, updated_at) values (${tag}, null, now(), now()) on conflict do nothing`;

/** Tags a dataset (creating the tag if new); answers the dataset. Idempotent. */
export async function tagDataset(db: Db, namespace: string, name: string, tag: string, on: boolean): Promise<Json> {
  checkTag(tag);
  await getDataset(db, namespace, name);
  const id = ids.dataset(namespace, name);
  await db.transaction(async (query) => {
    if (on) {
      await query(ensureTag(tag));
      await query(sql`insert into dataset_tags values (${id}, ${tag}, now()) on conflict do nothing`);
    } else await query(sql`delete from dataset_tags where dataset_id = ${id} and tag = ${tag}`);
    // The dataset's documents show its tags.
    await refreshDocuments(query, { datasets: [id] });
  });
  return getDataset(db, namespace, name);
}

/**
 * Tags a field of a dataset's current schema. Marquez upper-cases field tags (and only those); clients
 * rely on finding them so.
 */
export async function tagField(db: Db, namespace: string, name: string, field: string, rawTag: string, on: boolean): Promise<Json> {
  const tag = rawTag.toUpperCase();
  checkTag(tag);
  const dataset = await getDataset(db, namespace, name);
  const fields = dataset.fields as { name: string }[];
  if (!fields.some((f) => f.name === field)) throw notFound(`Field '${field}' not found for dataset '${name}'.`);
  const datasetId = ids.dataset(namespace, name);
  const fieldId = ids.datasetField(datasetId, field);
  await db.transaction(async (query) => {
    if (on) {
      await query(ensureTag(tag));
      await query(sql`insert into dataset_field_tags values (${fieldId}, ${datasetId}, ${field}, ${tag}, now()) on conflict do nothing`);
    } else await query(sql`delete from dataset_field_tags where field_id = ${fieldId} and tag = ${tag}`);
    await refreshDocuments(query, { datasets: [datasetId] });
  });
  return getDataset(db, namespace, name);
}

export async function tagJob(db: Db, namespace: string, name: string, tag: string, on: boolean): Promise<Json> {
  checkTag(tag);
  await getJob(db, namespace, name);
  const id = ids.job(namespace, name);
  await db.transaction(async (query) => {
    if (on) {
      await query(ensureTag(tag));
      await query(sql`insert into job_tags values (${id}, ${tag}, now()) on conflict do nothing`);
    } else await query(sql`delete from job_tags where job_id = ${id} and tag = ${tag}`);
    await refreshDocuments(query, { jobs: [id] });
  });
  return getJob(db, namespace, name);
}
