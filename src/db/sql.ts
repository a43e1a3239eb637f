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

/** A text[] parameter, bound the one way both drivers serialize arrays. */
export const textArray = (values: readonly string[]) => sql`${`{${values.map(quoteArrayItem).join(',')}}`}::text[]`;
export const uuidArray = (values: readonly string[]) => sql`${textArray(values)}::uuid[]`;

function quoteArrayItem(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Statements a listing's page is built in, side by side (see selectByIds). */
export const LISTING_STATEMENTS = 2;

/**
 * Rows built for each of `ids` (entities whose JSON is costly: a job with its latest runs, a dataset with
 * its fields), in at most `statements` prepared statements run side by side on the pool's connections,
 * in the order of `ids` (one statement where statements are not prepared). `query` selects `id` and more
 * for the ids it is given.
 */
export async function selectByIds<T extends { id: string }>(
  db: Db,
  ids: readonly string[],
  statements: number,
  query: (ids: SQL) => SQL,
): Promise<T[]> {
  if (ids.length === 0) return [];
  // Without prepared statements (PGlite: one connection, no plan cache) statements run one after the
  // other and each is planned: more of them would only add planning.
  const size = Math.ceil(ids.length / (db.prepared ? statements : 1));
  const chunks = Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));
  const found = new Map(
    (await Promise.all(chunks.map((chunk) => selectByKey<T>(db, query(uuidArray(chunk)))))).flat().map((r) => [r.id, r]),
  );
  return ids.flatMap((id) => found.get(id) ?? []);
}

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
