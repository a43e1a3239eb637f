import { invalid } from '../core/errors';

/**
 * Marquez paging (`limit`, default 100, and `offset`), plus a keyset cursor for large listings: each page
 * of a cursor-able listing answers `nextCursor`, and `?cursor=` continues after it without the cost of a
 * deep offset. A cursor is opaque (base64url JSON of the sort key of the last row).
 */
export interface Page {
  limit: number;
  offset: number;
  /** The sort key of the last row of the previous page, when a cursor was sent. */
  after?: string[];
}

export const MAX_LIMIT = 10_000;

export const encodeCursor = (key: string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.every((k) => typeof k === 'string')) return key;
  } catch {}
  throw invalid('/cursor', 'malformed cursor', 'cursor is not a cursor this server issued');
}

/** `nextCursor` when the page is full (there may be more). */
export const nextCursor = (rows: { key?: string[] }[], page: Page) =>
  rows.length === page.limit && rows.length > 0 ? encodeCursor(rows[rows.length - 1]!.key!) : null;

/**
 * A listing's answer, `{totalCount, <field>, nextCursor}`, as JSON text around its items' stored JSON text
 * (`items`: the items joined by commas, null when none): a page of documents is not parsed and serialized
 * again on its way out.
 */
export const listingText = (field: string, total: number, items: string | null, next: string | null) =>
  `{"totalCount":${total},${JSON.stringify(field)}:[${items ?? ''}],"nextCursor":${JSON.stringify(next)}}`;

/**
 * A listing's statement answers a row per item, `key` its sort key and `doc` its stored document's text, each
 * with the listing's `total`; an empty page is one row with no item. A row per item, not one aggregate of
 * them: a value of hundreds of kilobytes costs the server and the driver several times what the same bytes
 * cost in rows of a few kilobytes (a page of 100 jobs is 650 KB).
 */
export interface PageRow {
  total: number;
  key: string[] | null;
  doc: string | null;
}

/** The listing's answer (listingText) from its rows. */
export function pageText(field: string, rows: PageRow[], page: Page): string {
  const items = rows.filter((r) => r.doc !== null) as { key: string[]; doc: string }[];
  return listingText(field, rows[0]!.total, items.length ? items.map((r) => r.doc).join(',') : null, nextCursor(items, page));
}
