import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';

/**
 * MLflow's page tokens for its offset-paged searches (registry, runs, experiments): base64 of
 * `{"offset": n}`, refused as its server refuses them (SearchUtils.parse_start_offset_from_page_token in
 * mlflow/utils/search_utils.py). Opaque to clients, but MLflow's own shape, so a token means the same
 * whichever server made it.
 */
const badToken = (message: string) => invalid('/page_token', message);

/** The offset a page token carries (0 without one). */
export function offsetOf(token: string | undefined): number {
  if (!token) return 0;
  let decoded: string;
  try {
    decoded = atob(token);
  } catch {
    throw badToken('Invalid page token, could not base64-decode');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw badToken(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  const n = Number(offset);
  if (!offset || !Number.isSafeInteger(n) || n < 0) throw badToken(`Invalid page token, parsed value=${decoded}`);
  return n;
}

/** As Python's json.dumps writes it, so that the token is byte for byte MLflow's (`eyJvZmZzZXQiOiAyfQ==`). */
export const tokenOf = (offset: number) => btoa(`{"offset": ${offset}}`);

/** One page of a listing (`query` selects a `json` column, ordered), and the token of the next page. */
export async function pageOf<T>(
  db: Db,
  query: SQL,
  page: { maxResults: number; pageToken?: string },
): Promise<{ items: T[]; nextPageToken: string | undefined }> {
  const offset = offsetOf(page.pageToken);
  const rows = await select<{ json: T }>(db, sql`${query} limit ${page.maxResults + 1} offset ${offset}`);
  const more = rows.length > page.maxResults;
  return { items: rows.slice(0, page.maxResults).map((r) => r.json), nextPageToken: more ? tokenOf(offset + page.maxResults) : undefined };
}
