import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';
import { ids } from '../ids';
import { hidden } from './hidden';
import type { Page } from './page';

type Json = Record<string, unknown>;

/**
 * Namespaces come from events only: their owner is Marquez's default for those ("anonymous"). A hidden
 * namespace (DELETE /namespaces/{ns}) is still listed and answered, with `isHidden: true`, as Marquez does
 * (its web UI leaves those out of its namespace selector); its datasets and jobs are hidden with it.
 */
export const namespaceJson = sql`json_build_object('name', n.name, 'createdAt', ${iso('n.created_at')}, 'updatedAt', ${iso('n.updated_at')},
  'ownerName', 'anonymous', 'description', null, 'isHidden', ${hidden('n.id')})`;

export async function listNamespaces(db: Db, page: Page) {
  const [row] = await select<{ items: Json[] }>(
    db,
    sql`select coalesce(json_agg(${namespaceJson} order by n.name), '[]'::json) as items
      from (select * from namespaces order by name limit ${page.limit} offset ${page.offset}) n`,
  );
  return { namespaces: row!.items };
}

export async function getNamespace(db: Db, name: string): Promise<Json> {
  const [row] = await select<{ json: Json }>(
    db,
    sql`select ${namespaceJson} as json from namespaces n where n.id = ${ids.namespace(name)}`,
  );
  if (!row) throw notFound(`Namespace '${name}' not found.`);
  return row.json;
}

/** Sources are the dataSource facets seen. Marquez types every OpenLineage source POSTGRESQL; so do we. */
const sourceJson = sql`json_build_object('type', 'POSTGRESQL', 'name', s.name, 'createdAt', ${iso('s.created_at')},
  'updatedAt', ${iso('s.updated_at')}, 'connectionUrl', s.connection_url, 'description', null)`;

export async function listSources(db: Db, page: Page) {
  const [row] = await select<{ items: Json[] }>(
    db,
    sql`select coalesce(json_agg(${sourceJson} order by s.name), '[]'::json) as items
      from (select * from sources order by name limit ${page.limit} offset ${page.offset}) s`,
  );
  return { sources: row!.items };
}

export async function getSource(db: Db, name: string): Promise<Json> {
  const [row] = await select<{ json: Json }>(db, sql`select ${sourceJson} as json from sources s where s.id = ${ids.source(name)}`);
  if (!row) throw notFound(`Source '${name}' not found.`);
  return row.json;
}
