import { asc, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { lineageEvents } from '../db/schema';

/**
 * Every stored event as one JSON array, produced piece by piece in id order: each element is the exact
 * text received, so posting the export to /api/v1/lineage/batch of another instance stores the same
 * events under the same ids (ids hash the event's text without surrounding whitespace).
 */
export async function* exportEvents(db: Db, pageSize = 1000): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const page of storedEventPages(db, pageSize)) {
    for (const { raw } of page) {
      yield `${first ? '\n' : ',\n'}${trimJson(raw)}`;
      first = false;
    }
  }
  yield '\n]\n';
}

/** The stored events, verbatim, a page at a time in id order (keyset paging: no OFFSET). */
export async function* storedEventPages(db: Db, pageSize: number): AsyncGenerator<{ id: string; raw: string }[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db.orm
      .select({ id: lineageEvents.id, raw: lineageEvents.raw })
      .from(lineageEvents)
      .where(gt(lineageEvents.id, after))
      .orderBy(asc(lineageEvents.id))
      .limit(pageSize);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.id;
  }
}

/** JSON's whitespace (RFC 8259): space, line feed, carriage return, tab; the same bytes in UTF-8. */
export const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The text without the JSON whitespace around it (what the content hash covers). */
export function trimJson(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isJsonSpace(text.charCodeAt(start))) start++;
  while (end > start && isJsonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
