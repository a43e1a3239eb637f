import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { select } from '../src/db/sql';
import { type PageRow, pageBody, pageRows, spliced } from '../src/read/page';
import { databases, useDatabase } from './support/databases';

const text = (body: string | Uint8Array) => (typeof body === 'string' ? body : new TextDecoder().decode(body));
const bytes = (s: string) => new TextEncoder().encode(s);

/** Stored documents as Postgres writes json (`"k" : v`), one with characters of two, three and four UTF-8 bytes. */
const docs = ['{"name" : "a", "n" : 1}', '{"name" : "ünï ☃ 𝄞", "q" : "\\"}\\" ,"}', '{"name" : "c"}'];
const rowsOf = (doc: (s: string) => string | Uint8Array, n = docs.length): PageRow[] =>
  docs.slice(0, n).map((d, i) => ({ total: 42, key: ['2024-01-01', `id-${i}`], doc: doc(d) }));

describe('a listing answered from its documents as bytes', () => {
  it('is the text the documents as strings give, byte for byte', () => {
    for (const n of [1, 2, 3]) {
      for (const limit of [n, 100]) {
        const page = { limit, offset: 0 };
        const asText = pageBody(
          'jobs',
          rowsOf((d) => d, n),
          page,
        );
        const asBytes = pageBody('jobs', rowsOf(bytes, n), page);
        expect(typeof asText).toBe('string');
        expect(asBytes).toBeInstanceOf(Uint8Array);
        expect(text(asBytes)).toBe(asText);
        const parsed = JSON.parse(text(asBytes));
        expect(parsed.totalCount).toBe(42);
        expect(parsed.jobs).toEqual(docs.slice(0, n).map((d) => JSON.parse(d)));
        // A full page continues after its last row; a short one does not.
        expect(parsed.nextCursor === null).toBe(limit !== n);
      }
    }
  });

  it('is empty with no item, and takes documents of either kind together', () => {
    const empty = pageBody('datasets', [{ total: 0, key: null, doc: null }], { limit: 10, offset: 0 });
    expect(JSON.parse(text(empty))).toEqual({ totalCount: 0, datasets: [], nextCursor: null });
    const mixed = pageBody('jobs', [...rowsOf(bytes, 1), ...rowsOf((d) => d).slice(1)], { limit: 100, offset: 0 });
    expect(text(mixed)).toBe(
      pageBody(
        'jobs',
        rowsOf((d) => d),
        { limit: 100, offset: 0 },
      ),
    );
  });
});

describe('texts spliced into one answer', () => {
  it('joins strings side by side before encoding them, whatever their characters, around the bytes', () => {
    const parts = ['{"a":', '"é→', '😀"', ',"b":', bytes('{"c":"ü"}'), ',', bytes('1'), '}', ''];
    const body = spliced(parts);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(text(body)).toBe('{"a":"é→😀","b":{"c":"ü"},1}');
    expect(spliced(['x', 'y'])).toBe('xy');
    expect(text(spliced([bytes('z')]))).toBe('z');
  });

  it('is exactly the encoded parts when strings of many bytes a character come before, between and after the bytes', () => {
    const wide = ['ü', '☃☃☃', '𝄞', 'a𝄞b', '\ud800', `${'x'.repeat(1000)}☃`];
    for (const first of wide) {
      for (const last of wide) {
        const parts = [first, bytes('{"ü":1}'), '→', ',', bytes('[]'), last];
        const expected = new TextEncoder().encode(parts.map((p) => (typeof p === 'string' ? p : text(p))).join(''));
        const body = spliced(parts) as Uint8Array;
        expect(body.byteLength).toBe(expected.byteLength);
        expect([...body]).toEqual([...expected]);
      }
    }
  });
});

describe.each(databases)('listing rows on $name', (database) => {
  const ctx = useDatabase(database);

  it('decode every column but the documents as the driver does', async () => {
    const { db } = ctx();
    const query = sql`select t.found, t.total, p.key, p.doc
      from (select true as found, 7::int as total) t
      left join lateral (select json_build_array(v.k, v.i::text) as key, v.doc::json::text as doc, v.i
        from (values (1, 'b', ${docs[1]}), (2, 'a', ${docs[0]})) v(i, k, doc)) p on true
      order by p.i`;
    const got = await pageRows<PageRow & { found: boolean }>(db, query);
    const expected = await select<PageRow & { found: boolean }>(db, query);
    expect(got.map(({ doc, ...rest }) => rest)).toEqual(expected.map(({ doc, ...rest }) => rest));
    expect(got.map((r) => r.found)).toEqual([true, true]);
    expect(got.map((r) => r.total)).toEqual([7, 7]);
    expect(got.map((r) => r.key)).toEqual([
      ['b', '1'],
      ['a', '2'],
    ]);
    // PostgreSQL's driver answers the documents' bytes (Db.texts); PGlite's, their strings.
    expect(got.map((r) => (r.doc instanceof Uint8Array ? 'bytes' : typeof r.doc))).toEqual(Array(2).fill(db.texts ? 'bytes' : 'string'));
    expect(got.map((r) => text(r.doc!))).toEqual([docs[1], docs[0]]);
    // An empty page is one row with no item: NULLs stay null.
    const none = await pageRows<PageRow>(db, sql`select 0::int as total, null::json as key, null::text as doc`);
    expect(none).toEqual([{ total: 0, key: null, doc: null }]);
  });
});
