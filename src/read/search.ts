import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';
import { notHidden } from './hidden';

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
 * Rows of a table the first branch examines (in the order asked for) before it gives way to the whole-table
 * one. Each costs a heap fetch, so a miss (a rare `q`) costs the window before the trigram search; by name,
 * where the whole-table search is the one a miss would have taken anyway, the window is kept smaller.
 */
const WINDOW = { UPDATE_AT: 10_000, NAME: 2_000 };

/**
 * Jobs and datasets whose name contains `q`, case-insensitively. As in Marquez, `%` and `_` in `q` are
 * wildcards. Sorted by name, or most recently updated first.
 *
 * Each kind is answered by one of two branches, in one statement. The first WINDOW rows in the order asked
 * for (newest first, or by name) are filtered in index order: when they hold `limit` matches, those are
 * the answer (nothing further can rank before them), which is what a short, common `q` gives as the web UI
 * searches on every keystroke. Otherwise (a rare `q`) the whole table is searched, through the trigram
 * index where pg_trgm could be installed (migration 0003), by a scan where not. By name, the index holds a
 * name's first 200 characters (a btree key has a size limit), the rest ordered after it.
 */
export async function search(db: Db, s: SearchQuery) {
  const pattern = `%${s.q}%`;
  const order = s.sort === 'NAME' ? sql`name, namespace` : sql`updated_at desc, name`;
  const windowOrder = s.sort === 'NAME' ? sql`left(name, 200), name, namespace` : sql`updated_at desc, id desc`;
  const ctes: SQL[] = [];
  const part = (table: 'datasets' | 'jobs', type: 'DATASET' | 'JOB'): SQL => {
    const where: SQL[] = [sql`t.name ilike ${pattern}`, notHidden('t.id')];
    if (s.namespace) where.push(sql`t.namespace = ${s.namespace}`);
    if (s.before) where.push(sql`t.updated_at < ${s.before}::timestamptz`);
    if (s.after) where.push(sql`t.updated_at > ${s.after}::timestamptz`);
    const cond = sql.join(where, sql` and `);
    const cols = sql`${type} as type, t.name, t.namespace, t.updated_at`;
    const whole = (guard: SQL) => sql`(select ${cols} from ${sql.raw(table)} t where ${guard}${cond} order by ${order} limit ${s.limit})`;
    const first = sql.raw(`first_${table}`);
    ctes.push(sql`${first} as (select ${cols} from (select * from ${sql.raw(table)} order by ${windowOrder}
      limit ${WINDOW[s.sort]}) t where ${cond} order by ${order} limit ${s.limit})`);
    const enough = sql`(select count(*) from ${first}) >= ${s.limit}`;
    return sql`(select * from ${first} where ${enough} union all ${whole(sql`not ${enough} and `)})`;
  };
  const parts = [...(s.filter !== 'JOB' ? [part('datasets', 'DATASET')] : []), ...(s.filter !== 'DATASET' ? [part('jobs', 'JOB')] : [])];
  const [row] = await select<{ results: Record<string, unknown>[] }>(
    db,
    sql`with ${sql.join(ctes, sql`, `)} select coalesce(json_agg(json_build_object('type', r.type, 'name', r.name, 'updatedAt', ${iso('r.updated_at')},
        'namespace', r.namespace, 'nodeId', lower(r.type) || ':' || r.namespace || ':' || r.name) order by ${order}), '[]'::json) as results
      from (select * from (${sql.join(parts, sql` union all `)}) u order by ${order} limit ${s.limit}) r`,
  );
  return { totalCount: row!.results.length, results: row!.results };
}
