import { sql } from 'drizzle-orm';
import { type Db, rows } from './client';
import { LOCKS } from './locks';

export interface Migration {
  tag: string;
  statements: string[];
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so that several
 * instances starting at once apply them exactly once (the others wait, then find nothing to do).
 * Migrations are drizzle-kit's SQL files; reading them from disk is the caller's job (Workers never
 * migrate).
 */
export async function migrate(db: Db, migrations: Migration[]): Promise<string[]> {
  return db.orm.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCKS.migrations})`);
    await tx.execute(sql`create table if not exists pedigree_migrations (
      tag text primary key,
      applied_at timestamptz not null default now()
    )`);
    const done = new Set((await rows<{ tag: string }>(tx, sql`select tag from pedigree_migrations`)).map((r) => r.tag));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const statement of m.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into pedigree_migrations (tag) values (${m.tag})`);
      applied.push(m.tag);
    }
    return applied;
  });
}
