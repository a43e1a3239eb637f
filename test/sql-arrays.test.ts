import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { arrayLiteral, textArray, uuidArray } from '../src/db/sql';
import { upsert } from '../src/db/upsert';
import { idOf } from '../src/ids';
import { rules } from '../src/ingest/rules';
import { databases, useDatabase } from './support/databases';

describe.each(databases)('array parameters on $name', (database) => {
  const ctx = useDatabase(database);

  it('carry any text as it is, in order', async () => {
    const { db } = ctx();
    const values = ['plain', '', 'NULL', 'with space', 'a,b', '{braces}', 'quote " inside', 'back\\slash', '\\"', 'ünï ☃ 𝄞', '"'];
    const got = await rows<{ v: string }>(db.orm, sql`select unnest(${textArray(values)}) as v`);
    expect(got.map((r) => r.v)).toEqual(values);
  });

  it('may be empty, and carry uuids', async () => {
    const { db } = ctx();
    expect(await rows(db.orm, sql`select unnest(${textArray([])}) as v`)).toEqual([]);
    const id = '370ab3a1-1387-85fa-af6a-fb723e42f54a';
    const got = await rows<{ v: string }>(db.orm, sql`select unnest(${uuidArray([id, id])})::text as v`);
    expect(got.map((r) => r.v)).toEqual([id, id]);
  });

  it('carry nulls as NULL and the text "NULL" as text', async () => {
    const { db } = ctx();
    const values = [null, 'NULL', '', null, 'x'];
    const got = await rows<{ v: string | null }>(db.orm, sql`select unnest(${arrayLiteral(values)}::text[]) as v`);
    expect(got.map((r) => r.v)).toEqual(values);
  });

  it('store upserted rows as they were given, one of 17 MB among them', async () => {
    const { db } = ctx();
    // Texts an array literal must quote and escape, and one value of 17 MB.
    const values = [JSON.stringify('"quoted" \\ back'), '{"a":[1,2,{"b":null}]}', '"NULL"', `"${'x'.repeat(17 * 1024 * 1024)}"`, '[]'];
    const given = values.map((value, i) => ({ id: idOf('test_value', String(i)), name: `test ${i}`, value }));
    await db.transaction(async (query) => {
      await Promise.all(upsert(query, rules.facetValues, [...given, ...given]));
    });
    const stored = await rows<{ id: string; value: unknown }>(
      db.orm,
      sql`select id::text as id, value from facet_values where id = any(${uuidArray(given.map((r) => r.id))})`,
    );
    expect(new Map(stored.map((r) => [r.id, r.value]))).toEqual(new Map(given.map((r) => [r.id, JSON.parse(r.value)])));
  });

  it('leave a stored row of a DO NOTHING rule as it is, without reading what is sent for it, and add the new', async () => {
    const { db } = ctx();
    const first = { id: idOf('test_value', 'kept'), name: 'kept', value: '{"v":1}' };
    const added = { id: idOf('test_value', 'added'), name: 'added', value: '{"v":2}' };
    await db.transaction(async (query) => {
      await Promise.all(upsert(query, rules.facetValues, [first]));
    });
    // Not JSON: were it cast before the stored row is left out, the statement would fail.
    await db.transaction(async (query) => {
      await Promise.all(upsert(query, rules.facetValues, [{ ...first, value: 'not json' }, added]));
    });
    const stored = await rows<{ name: string; value: unknown }>(
      db.orm,
      sql`select name, value from facet_values where id = any(${uuidArray([first.id, added.id])}) order by name`,
    );
    expect(stored).toEqual([
      { name: 'added', value: { v: 2 } },
      { name: 'kept', value: { v: 1 } },
    ]);
  });
});
