import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from './client';

/** One read statement, one round trip; rows as plain objects (jsonb already parsed by either driver). */
export const select = <T>(db: Db, query: SQL): Promise<T[]> => rows<T>(db.orm, query);

/**
 * The same for a statement whose best plan does not depend on its values (a lookup by key, the same
 * joins whatever is asked): prepared, so Postgres plans it once per connection instead of every time.
 * Not for searches by pattern, pages by offset or graph walks, whose plans depend on the values.
 */
export const selectByKey = <T>(db: Db, query: SQL): Promise<T[]> => (db.prepared ? db.prepared<T>(query) : select<T>(db, query));

/**
 * Times leave the database as text in Marquez's format (UTC, microseconds, `Z`): drivers would turn them
 * into JS Dates and drop the microseconds.
 */
export const iso = (column: SQL | string) =>
  sql`to_char(${typeof column === 'string' ? sql.raw(column) : column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A text[] literal of the values: each item quoted (NULL, braces, commas and spaces are then plain
 * text), null as NULL.
 */
export function arrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.includes('\\') || v.includes('"') ? v.replace(ESCAPED, '\\$&') : v}"`)).join(',')}}`;
}
const ESCAPED = /[\\"]/g;

/** A text[] parameter, bound the one way both drivers serialize arrays. */
export const textArray = (values: readonly string[]) => sql`${arrayLiteral(values)}::text[]`;
export const uuidArray = (values: readonly string[]) => sql`${textArray(values)}::uuid[]`;

/**
 * The `json` of the rows `query` selects (`id` and `json`) for text `ids`, in the order of `ids` (a page of
 * a search, whose order the search decided); ids with no row are left out. One prepared statement.
 */
export async function jsonInOrder<T>(db: Db, ids: readonly string[], query: (ids: SQL) => SQL): Promise<T[]> {
  if (ids.length === 0) return [];
  const rows = await selectByKey<{ id: string; json: T }>(db, query(textArray(ids)));
  const byId = new Map(rows.map((r) => [String(r.id), r.json]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}
