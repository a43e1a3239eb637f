import { decodeCursor, type Page } from '../read/page';

/** The page a listing's validated `limit`, `offset` and `cursor` ask for (see schemas/params.ts paging). */
export function pageFrom(q: { limit: number; offset: number; cursor?: string | undefined }): Page {
  return q.cursor === undefined
    ? { limit: q.limit, offset: q.offset }
    : { limit: q.limit, offset: q.offset, after: decodeCursor(q.cursor) };
}
