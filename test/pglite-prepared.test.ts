import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlState } from '../src/db/errors';
import { PreparedStatements } from '../src/db/pglite-prepared';

/** Prepared statements give what PGlite's own (unnamed) path gives, in the order issued, and recover from errors. */
describe('PGlite prepared statements', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create();
    await pg.exec(`create table t (id int primary key, doc jsonb, at timestamptz, u uuid, note text)`);
  });
  afterAll(() => pg.close());

  const prepared = (max?: number) => new PreparedStatements(pg, max);

  it('answers the rows the unnamed path answers, with the same types', async () => {
    const statements = prepared();
    const text = `select $1::int as n, $2::text::jsonb as doc, $3::text::timestamptz as at, $4::text::uuid as u, $5::text as s, $6::boolean as b`;
    const params = ['7', '{"a":[1,2]}', '2024-01-02T03:04:05.123456Z', '01234567-89ab-8def-8123-456789abcdef', null, true];
    const [own, ours, again] = await pg.transaction(async (tx) => [
      (await tx.query(text, params)).rows,
      await statements.query(tx, text, params),
      await statements.query(tx, text, params),
    ]);
    expect(ours).toEqual(own);
    expect(again).toEqual(own);
    expect(ours[0]).toMatchObject({ n: 7, doc: { a: [1, 2] }, s: null, b: true });
  });

  it('runs statements issued together in the order they were issued', async () => {
    const statements = prepared();
    const seen = await pg.transaction(async (tx) => {
      const [, , count] = await Promise.all([
        statements.query(tx, `insert into t (id, note) values ($1::int, $2::text)`, [1, 'one']),
        statements.query(tx, `insert into t (id, note) values ($1::int, $2::text)`, [2, 'two']),
        statements.query(tx, `select count(*)::int as n from t where id = any($1::int[])`, ['{1,2}']),
      ]);
      await tx.rollback();
      return count;
    });
    expect(seen).toEqual([{ n: 2 }]);
  });

  it('fails a statement with its SQLSTATE, rolls back its transaction, and runs it again afterwards', async () => {
    const statements = prepared();
    const insert = `insert into t (id, u) values ($1::int, $2::text::uuid)`;
    const failed = await pg
      .transaction(async (tx) => {
        await statements.query(tx, insert, [10, '01234567-89ab-8def-8123-456789abcdef']);
        await statements.query(tx, insert, [11, 'not a uuid']);
      })
      .catch((e: unknown) => e);
    expect(sqlState(failed)).toBe('22P02');
    expect((await pg.query(`select count(*)::int as n from t where id in (10, 11)`)).rows).toEqual([{ n: 0 }]);
    // The statement stays prepared and good; a syntax error leaves nothing behind.
    const syntax = await pg.transaction((tx) => statements.query(tx, `selec 1`, [])).catch((e: unknown) => e);
    expect(sqlState(syntax)).toBe('42601');
    await pg.transaction((tx) => statements.query(tx, insert, [12, '01234567-89ab-8def-8123-456789abcdef']));
    await pg.transaction(async (tx) => {
      expect(await statements.query(tx, `select id from t where id = $1::int`, [12])).toEqual([{ id: 12 }]);
      await tx.rollback();
    });
    await pg.exec('delete from t');
  });

  it('closes the least recently used statement beyond its limit, and prepares it again when it comes back', async () => {
    const statements = prepared(2);
    const texts = [1, 2, 3].map((i) => `select $1::int + ${i} as n`);
    const names = async () =>
      (await pg.query<{ name: string }>(`select name from pg_prepared_statements order by name`)).rows.map((r) => r.name);
    const before = await names();
    await pg.transaction(async (tx) => {
      for (const text of [...texts, texts[0]!]) await statements.query(tx, text, [1]);
    });
    const after = (await names()).filter((n) => !before.includes(n));
    expect(after).toHaveLength(2);
    await pg.transaction(async (tx) => {
      expect(await Promise.all(texts.map((text) => statements.query(tx, text, [1])))).toEqual([[{ n: 2 }], [{ n: 3 }], [{ n: 4 }]]);
    });
  });

  it('leaves a value PGlite serializes by type (a Date) to PGlite', async () => {
    const at = new Date('2024-05-06T07:08:09.000Z');
    const rows = await pg.transaction((tx) => prepared().query(tx, `select $1::timestamptz as at`, [at]));
    expect(rows).toEqual([{ at }]);
  });
});
