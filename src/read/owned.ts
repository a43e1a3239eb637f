import { type SQL, sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';
import { ids } from '../ids';

type Json = Record<string, unknown>;

/**
 * A page of what an entity owns (a dataset's versions, a job's runs, ...) in one statement: whether the
 * owner exists, how many rows it owns, and the page as a JSON array. `items` is a select of one json_agg.
 */
export async function ownedPage<T = Json>(db: Db, owner: { exists: SQL; total: SQL; items: SQL }) {
  const [row] = await select<{ found: boolean; total: number; items: T[] }>(
    db,
    sql`select exists (${owner.exists}) as found, (${owner.total})::int as total, coalesce((${owner.items}), '[]'::json) as items`,
  );
  return row!;
}

/** 404 naming what is missing, as Marquez words it: the namespace when it is unknown, else the entity. */
export async function missing(db: Db, namespace: string, kind: 'Dataset' | 'Job', name: string) {
  const [ns] = await select(db, sql`select 1 from namespaces where id = ${ids.namespace(namespace)}`);
  return notFound(ns ? `${kind} '${name}' not found.` : `Namespace '${namespace}' not found.`);
}
