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
