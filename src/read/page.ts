import type { SQL } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';

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
 * A listing's answer is `{totalCount, <field>, nextCursor}`: JSON text around its items' stored JSON text
 * (pageBody), so that a page of documents is not parsed and serialized again on its way out.
 */
const listingHead = (field: string, total: number) => `{"totalCount":${total},${JSON.stringify(field)}:[`;
const listingTail = (next: string | null) => `],"nextCursor":${JSON.stringify(next)}}`;

/** A stored document's JSON text: a string, or its UTF-8 bytes as the database sent them (Db.texts). */
export type DocText = string | Uint8Array;

/**
 * A listing's statement answers a row per item, `key` its sort key and `doc` its stored document's text, each
 * with the listing's `total`; an empty page is one row with no item. A row per item, not one aggregate of
 * them: a value of hundreds of kilobytes costs the server and the driver several times what the same bytes
 * cost in rows of a few kilobytes (a page of 100 jobs is 650 KB).
 */
export interface PageRow {
  total: number;
  key: string[] | null;
  doc: DocText | null;
}

/**
 * A listing statement's rows (PageRow, or any with a `doc` column). Where the driver answers values as
 * bytes (Db.texts, PostgreSQL), the documents stay bytes and go out as they came: decoding 650 KB of documents into strings, joining them and
 * encoding the answer again took 7.4 ms of CPU a page of 100 jobs, their bytes spliced 1.6 (measured with
 * postgres.js, query included). The other columns are decoded by type, as the driver would.
 */
export async function pageRows<T extends { doc: DocText | null }>(db: Db, query: SQL): Promise<T[]> {
  if (!db.texts) return select<T>(db, query);
  const { columns, rows } = await db.texts(query);
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { name, type } = columns[i]!;
      const value = values[i] ?? null;
      row[name] = value === null || name === 'doc' ? value : decoded(type, value);
    }
    return row as T;
  });
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();
/** Type oids (pg_type) of the columns listings select besides their documents. */
const BOOL = 16;
const INT2 = 21;
const INT4 = 23;
const JSON_TYPE = 114;
const JSONB = 3802;

function decoded(type: number, bytes: Uint8Array): unknown {
  const text = utf8.decode(bytes);
  if (type === BOOL) return text === 't';
  if (type === INT2 || type === INT4) return Number(text);
  if (type === JSON_TYPE || type === JSONB) return JSON.parse(text);
  return text;
}

/** The listing's answer from its rows: text, or bytes when the documents came as bytes. */
export function pageBody(field: string, rows: PageRow[], page: Page): string | Uint8Array<ArrayBuffer> {
  const items = rows.filter((r) => r.doc !== null) as { key: string[]; doc: DocText }[];
  const next = nextCursor(items, page);
  return spliced([listingHead(field, rows[0]!.total), ...commaSeparated(items.map((r) => r.doc)), listingTail(next)]);
}

/** The texts with a comma between each two. */
export const commaSeparated = (texts: DocText[]): DocText[] => texts.flatMap((t, i) => (i === 0 ? [t] : [',', t]));

/**
 * The texts one after the other: a string when they all are, else their UTF-8 bytes, each document's copied
 * once into the answer. Strings side by side are joined before they are encoded: a graph's answer has
 * thousands of small ones (ids, punctuation) between its documents.
 */
export function spliced(parts: DocText[]): string | Uint8Array<ArrayBuffer> {
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  // The runs of strings joined, then everything written once into one buffer: encoding each run into an
  // array of its own, then copying them all into the answer, cost a graph of depth 2 (550 KB) twice the
  // copies. The buffer is sized as if the strings were ASCII (ids and punctuation mostly are), and grown
  // for a string that is not.
  const pieces: DocText[] = [];
  let run: string[] = [];
  let size = 0;
  const endRun = () => {
    if (!run.length) return;
    const text = run.length === 1 ? run[0]! : run.join('');
    pieces.push(text);
    size += text.length;
    run = [];
  };
  for (const p of parts) {
    if (typeof p === 'string') run.push(p);
    else {
      endRun();
      pieces.push(p);
      size += p.byteLength;
    }
  }
  endRun();
  let out = new Uint8Array(size);
  let at = 0;
  let left = size;
  for (const p of pieces) {
    if (typeof p === 'string') {
      left -= p.length;
      // Into its own share of the buffer, so that what follows keeps its room.
      let done = utf8Encoder.encodeInto(p, out.subarray(at, at + p.length));
      at += done.written;
      if (done.read < p.length) {
        // Not ASCII: room for the rest of it at 3 bytes a UTF-16 unit, and for what follows.
        const rest = p.slice(done.read);
        const grown = new Uint8Array(at + rest.length * 3 + left);
        grown.set(out.subarray(0, at));
        out = grown;
        done = utf8Encoder.encodeInto(rest, out.subarray(at));
        at += done.written;
      }
    } else {
      out.set(p, at);
      at += p.byteLength;
      left -= p.byteLength;
    }
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** A stored document's text, decoded when it came as bytes. */
export const textOf = (doc: DocText): string => (typeof doc === 'string' ? doc : utf8.decode(doc));
