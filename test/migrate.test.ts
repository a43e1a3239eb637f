import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPostgres } from '../src/db/postgres';
import { databases } from './support/databases';

describe.each(databases)('migrations on $name', (database) => {
  it('apply once, and again is a no-op', async () => {
    const { db, drop } = await database.open();
    try {
      const migrations = await readMigrations();
      expect(await migrate(db, migrations)).toEqual(migrations.map((m) => m.tag));
      expect(await migrate(db, migrations)).toEqual([]);
      const tables = await rows<{ n: string | number }>(
        db.orm,
        sql`select count(*) as n from information_schema.tables where table_name = 'lineage_events'`,
      );
      expect(Number(tables[0]!.n)).toBe(1);
    } finally {
      await drop();
    }
  });

  it("gives every partition of the events a time index holding the run id (0021), a month's created later too", async () => {
    const { db, drop } = await database.open();
    try {
      await migrate(db, await readMigrations());
      await db.orm.execute(sql`create table lineage_events_2031_05 partition of lineage_events
        for values from ('2031-05-01 00:00:00+00') to ('2031-06-01 00:00:00+00')`);
      const indexes = await rows<{ tablename: string; indexdef: string }>(
        db.orm,
        sql`select c.relname as tablename, pg_get_indexdef(i.indexrelid) as indexdef
          from pg_index i join pg_class c on c.oid = i.indrelid
          where c.relname like 'lineage_events%' and pg_get_indexdef(i.indexrelid) like '%(event_time)%'`,
      );
      const tables = await rows<{ relname: string }>(
        db.orm,
        sql`select relname from pg_class where relname like 'lineage_events%' and relkind in ('r', 'p')`,
      );
      expect(indexes.map((i) => i.tablename).sort()).toEqual(tables.map((t) => t.relname).sort());
      for (const i of indexes) expect(i.indexdef).toMatch(/\(event_time\) INCLUDE \(run_id\)$/);
    } finally {
      await drop();
    }
  });

  it('keeps the facets stored before their values were kept once (0013), each content once, as they were read', async () => {
    const { db, drop } = await database.open();
    try {
      const migrations = await readMigrations();
      const at = migrations.findIndex((m) => m.tag === '0013_facet_values');
      await migrate(db, migrations.slice(0, at));
      const run = '11111111-1111-8111-8111-111111111111';
      const event = '22222222-2222-8222-8222-222222222222';
      const schema = { _producer: 'p', fields: [{ name: 'a', type: 'int' }] };
      await db.orm.execute(sql`insert into facets (owner_id, name, owner_kind, value, run_id, event_time, event_id) values
        (${run}, 'schema', 'dataset', ${JSON.stringify(schema)}::jsonb, null, now(), ${event}),
        (${event}, 'schema', 'dataset_version', ${JSON.stringify(schema)}::jsonb, ${run}, now(), ${event}),
        (${run}, 'tags', 'run', ${JSON.stringify({ tags: [{ key: 'mlflow.run_id', value: 'abc' }] })}::jsonb, ${run}, now(), ${event})`);
      expect(await migrate(db, migrations)).toEqual(migrations.slice(at).map((m) => m.tag));
      const read = await rows<{ owner_id: string; name: string; value: unknown }>(
        db.orm,
        sql`select owner_id, name, value from facet_rows order by owner_id, name`,
      );
      expect(read).toEqual([
        { owner_id: run, name: 'schema', value: schema },
        { owner_id: run, name: 'tags', value: { tags: [{ key: 'mlflow.run_id', value: 'abc' }] } },
        { owner_id: event, name: 'schema', value: schema },
      ]);
      // One content under one name is one value, whatever the number of its owners.
      const values = await rows<{ n: string | number }>(db.orm, sql`select count(*) as n from facet_values`);
      expect(Number(values[0]!.n)).toBe(2);
      // The registry finds the run by the value its tags facet contains.
      const found = await rows<{ owner_id: string }>(
        db.orm,
        sql`select f.owner_id from facet_values v join facets f on f.value_id = v.id and f.name in ('tags', 'mlflow')
          where v.value @> ${JSON.stringify({ tags: [{ key: 'mlflow.run_id', value: 'abc' }] })}::jsonb and v.name in ('tags', 'mlflow')`,
      );
      expect(found).toEqual([{ owner_id: run }]);
    } finally {
      await drop();
    }
  });
});

describe.runIf(databases.some((d) => d.name === 'postgres'))('several instances starting at once', () => {
  it('apply the migrations exactly once', async () => {
    const postgres = databases.find((d) => d.name === 'postgres')!;
    const { db, url, drop } = await postgres.open();
    const others = Array.from({ length: 4 }, () => openPostgres(url!, { max: 1 }));
    try {
      const migrations = await readMigrations();
      const applied = await Promise.all([db, ...others].map((d) => migrate(d, migrations)));
      expect(applied.flat().sort()).toEqual(migrations.map((m) => m.tag).sort());
    } finally {
      await Promise.all(others.map((o) => o.close()));
      await drop();
    }
  });
});
