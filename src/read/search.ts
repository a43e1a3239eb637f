import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso, select } from './sql';

export interface SearchQuery {
  q: string;
  filter?: 'DATASET' | 'JOB';
  sort: 'NAME' | 'UPDATE_AT';
  limit: number;
  namespace?: string;
  before?: string;
  after?: string;
}

/**
 * Jobs and datasets whose name contains `q`, case-insensitively. As in Marquez, `%` and `_` in `q` are
 * wildcards. Sorted by name, or most recently updated first.
 */
export async function search(db: Db, s: SearchQuery) {
  const pattern = `%${s.q}%`;
  const part = (table: 'datasets' | 'jobs', type: 'DATASET' | 'JOB'): SQL => {
    const where: SQL[] = [sql`t.name ilike ${pattern}`];
    if (s.namespace) where.push(sql`t.namespace = ${s.namespace}`);
    if (s.before) where.push(sql`t.updated_at < ${s.before}::timestamptz`);
    if (s.after) where.push(sql`t.updated_at > ${s.after}::timestamptz`);
    return sql`(select ${type} as type, t.name, t.namespace, t.updated_at from ${sql.raw(table)} t
      where ${sql.join(where, sql` and `)} order by ${order} limit ${s.limit})`;
  };
  const order = s.sort === 'NAME' ? sql`name, namespace` : sql`updated_at desc, name`;
  const parts = [...(s.filter !== 'JOB' ? [part('datasets', 'DATASET')] : []), ...(s.filter !== 'DATASET' ? [part('jobs', 'JOB')] : [])];
  const [row] = await select<{ results: Record<string, unknown>[] }>(
    db,
    sql`select coalesce(json_agg(json_build_object('type', r.type, 'name', r.name, 'updatedAt', ${iso('r.updated_at')},
        'namespace', r.namespace, 'nodeId', lower(r.type) || ':' || r.namespace || ':' || r.name) order by ${order}), '[]'::json) as results
      from (select * from (${sql.join(parts, sql` union all `)}) u order by ${order} limit ${s.limit}) r`,
  );
  return { totalCount: row!.results.length, results: row!.results };
}
