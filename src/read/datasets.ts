import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import { UUID } from '../core/uuid';
import type { Db } from '../db/client';
import { select, selectByKey } from '../db/sql';
import { ids } from '../ids';
import { hiddenCount, notHidden } from './hidden';
import { datasetVersionJson } from './json';
import { missing, ownedPage } from './owned';
import { type Page, type PageRow, pageBody, pageRows } from './page';

type Json = Record<string, unknown>;

/**
 * Listing order is by name; the index and the cursor use the name's first 200 characters then the id, so a
 * name longer than a btree key allows never breaks ingestion. Names sharing a 200-character prefix are
 * ordered by id.
 */
const SORT = sql`left(d.name, 200), d.id`;

export async function listDatasets(db: Db, namespace: string, page: Page) {
  const ns = ids.namespace(namespace);
  const after = page.after ? sql`and (left(d.name, 200), d.id) > (${page.after[0]}, ${page.after[1]}::uuid)` : sql``;
  // The page's keys and documents (the read model) in one statement, planned for this offset, a row per
  // dataset (see PageRow); the documents are spliced into the answer as stored, never parsed here.
  const rows = await pageRows<PageRow & { found: boolean }>(
    db,
    sql`select t.found, t.total, p.key, p.doc
      from (select exists (select 1 from namespaces where id = ${ns}) as found,
        ((select coalesce(sum(datasets), 0) from namespace_counts where namespace_id = ${ns}) - ${hiddenCount('dataset', ns)})::int as total) t
      left join lateral (
        select json_build_array(p.key, p.id) as key, x.document::text as doc, p.key as sort, p.id
        from (select d.id, left(d.name, 200) as key from datasets d where d.namespace_id = ${ns} and ${notHidden('d.id')} ${after}
              order by ${SORT} limit ${page.limit} offset ${page.offset}) p
        join dataset_documents x on x.dataset_id = p.id) p on true
      order by p.sort, p.id`,
  );
  if (!rows[0]!.found) throw notFound(`Namespace '${namespace}' not found.`);
  return pageBody('datasets', rows, page);
}

export async function getDataset(db: Db, namespace: string, name: string): Promise<Json> {
  const id = ids.dataset(namespace, name);
  const [row] = await selectByKey<{ json: Json }>(
    db,
    sql`select x.document as json from dataset_documents x where x.dataset_id = ${id} and ${notHidden('x.dataset_id')}`,
  );
  if (!row) throw await missing(db, namespace, 'Dataset', name);
  return row.json;
}

export async function listDatasetVersions(db: Db, namespace: string, name: string, page: Page) {
  const id = ids.dataset(namespace, name);
  const row = await ownedPage(db, {
    exists: sql`select 1 from datasets d where d.id = ${id} and ${notHidden('d.id')}`,
    total: sql`select count(*) from dataset_versions where dataset_id = ${id}`,
    items: sql`select json_agg(${datasetVersionJson('v', 'd')} order by v.created_at desc, v.id desc)
        from (select * from dataset_versions where dataset_id = ${id}
              order by created_at desc, id desc limit ${page.limit} offset ${page.offset}) v
        join datasets d on d.id = v.dataset_id`,
  });
  if (!row.found) throw await missing(db, namespace, 'Dataset', name);
  return { totalCount: row.total, versions: row.items };
}

/** A version by its id (the UUID Marquez clients hold) or by the producer's version string. */
export async function getDatasetVersion(db: Db, namespace: string, name: string, version: string): Promise<Json> {
  const id = ids.dataset(namespace, name);
  const byId = UUID.test(version) ? sql`v.id = ${version.toLowerCase()}::uuid or` : sql``;
  const [row] = await select<{ json: Json }>(
    db,
    sql`select ${datasetVersionJson('v', 'd')} as json from dataset_versions v join datasets d on d.id = v.dataset_id
      where v.dataset_id = ${id} and ${notHidden('d.id')} and (${byId} v.version_key = ${ids.versionKey(id, version)})
      order by v.created_at desc limit 1`,
  );
  if (!row) {
    await getDataset(db, namespace, name);
    throw notFound(`Dataset version '${version}' not found.`);
  }
  return row.json;
}
