import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { partitionDefault } from '../src/retention/partitions';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { count } from './support/snapshot';

const runEvent = (eventTime: string, runId = randomUUID()) => ({
  eventType: 'COMPLETE',
  eventTime,
  producer: 'https://example.com/pedigree-partition-tests',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId },
  job: { namespace: 'partitions', name: 'job' },
  inputs: [],
  outputs: [],
});

const partitionOf = async (db: Db, id: string) =>
  (await rows<{ p: string }>(db.orm, sql`select tableoid::regclass::text as p from lineage_events where id = ${id}`)).map((r) => r.p);

describe.each(databases)('verbatim events partitioned by month on $name', (database) => {
  const ctx = useDatabase(database);

  it('stores an event once, whichever partition holds it, before and after its month is created', async () => {
    const { app, db } = ctx();
    const event = JSON.stringify(runEvent('2019-05-10T10:00:00.000Z'));
    expect((await post(app, event)).status).toBe(201);
    const [row] = await rows<{ id: string }>(db.orm, sql`select id from lineage_events where event_time = '2019-05-10T10:00:00Z'`);
    const id = row!.id;
    // No partition covers May 2019 in a new database: the default partition takes it.
    expect(await partitionOf(db, id)).toEqual(['lineage_events_default']);
    // Posted again, with whitespace around it (the same id): stored once.
    expect((await post(app, `  ${event}\n`)).status).toBeLessThan(300);
    expect(await count(db, 'lineage_events', `id = '${id}'`)).toBe(1);
    // An absurd time stays in the default partition; May 2019 gets its partition, the event moved into it.
    await post(app, runEvent('1900-01-01T00:00:00.000Z'));
    await post(app, runEvent('2999-01-01T00:00:00.000Z'));
    expect(await partitionDefault(db)).toEqual(['lineage_events_2019_05']);
    expect(await partitionOf(db, id)).toEqual(['lineage_events_2019_05']);
    expect(await count(db, 'lineage_events_default')).toBe(2);
    // And stored once still, its key (id, event_time) found in the new partition.
    expect((await post(app, event)).status).toBeLessThan(300);
    expect(await count(db, 'lineage_events', `id = '${id}'`)).toBe(1);
  });
});

describe.each(databases)('migration 0015 on $name', (database) => {
  it('moves the events of a database of 0014 into month partitions, every row as it was', async () => {
    const { db, drop } = await database.open();
    try {
      const migrations = await readMigrations();
      const at = migrations.findIndex((m) => m.tag === '0015_retention');
      await migrate(db, migrations.slice(0, at));
      const times = ['2025-03-01T00:00:00Z', '2025-03-31T23:59:59.999999Z', '2026-11-15T12:00:00Z', '1900-01-01T00:00:00Z'];
      for (const [i, t] of times.entries()) {
        await db.orm.execute(sql`insert into lineage_events (id, kind, event_type, event_time, run_id, producer, warnings, raw)
          values (${randomUUID()}, 'run', 'COMPLETE', ${t}::timestamptz, ${randomUUID()}, 'p', ${i % 2 ? '[{"pointer":"/x","message":"m"}]' : null}::jsonb,
            ${`{"n":${i}}`})`);
      }
      const before = await rows(db.orm, sql`select * from lineage_events order by id`);
      expect(await migrate(db, migrations)).toEqual(migrations.slice(at).map((m) => m.tag));
      expect(await rows(db.orm, sql`select * from lineage_events order by id`)).toEqual(before);
      const where = await rows<{ p: string; n: number | string }>(
        db.orm,
        sql`select tableoid::regclass::text as p, count(*) as n from lineage_events group by 1 order by 1`,
      );
      expect(where.map((w) => [w.p, Number(w.n)])).toEqual([
        ['lineage_events_2025_03', 2],
        ['lineage_events_2026_11', 1],
        ['lineage_events_default', 1],
      ]);
      // The key is (id, event_time): a second copy of a stored event is refused as before.
      const [one] = await rows<{ id: string; t: string }>(db.orm, sql`select id, event_time::text as t from lineage_events limit 1`);
      const again = await rows(
        db.orm,
        sql`insert into lineage_events (id, kind, event_time, raw) values (${one!.id}, 'run', ${one!.t}::timestamptz, '{}')
          on conflict (id, event_time) do nothing returning id`,
      );
      expect(again).toEqual([]);
      const indexes = await rows<{ indexname: string }>(
        db.orm,
        sql`select indexname from pg_indexes where tablename = 'facets' order by 1`,
      );
      expect(indexes.map((i) => i.indexname)).toContain('facets_value_idx');
      expect(indexes.map((i) => i.indexname)).not.toContain('facets_registry_value_idx');
    } finally {
      await drop();
    }
  });
});
