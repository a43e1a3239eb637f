import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../src/db/sql';
import { notHidden } from '../src/read/hidden';
import { databases, truncateAll, useDatabase } from './support/databases';

// biome-ignore lint/suspicious/noExplicitAny: a plan is walked freely.
type PlanNode = Record<string, any>;

/** How many times the plan read hidden_entities (the loops of its scans), from EXPLAIN ANALYZE's JSON. */
function hiddenScans(node: PlanNode): number {
  const own = node['Relation Name'] === 'hidden_entities' ? Number(node['Actual Loops']) : 0;
  return own + ((node.Plans as PlanNode[] | undefined) ?? []).reduce((n, child) => n + hiddenScans(child), 0);
}

/**
 * A page at an offset of 300 ids read in the order of an index, as a listing reads its rows (jobs by their
 * update time), with the hidden left out.
 */
const listing = (where: SQL) => sql`select g.id from hidden_lookups_rows g where ${where} order by g.at desc limit 20 offset 200`;

describe.each(databases)('hidden entities left out of reads, on $name', (database) => {
  const ctx = useDatabase(database);

  beforeAll(async () => {
    await ctx().db.orm.execute(sql`create table if not exists hidden_lookups_rows (id uuid primary key, at int not null)`);
    await ctx().db.orm.execute(sql`create index if not exists hidden_lookups_rows_at on hidden_lookups_rows (at)`);
    await ctx().db.orm.execute(
      sql`insert into hidden_lookups_rows select md5(i::text)::uuid, i from generate_series(1, 300) i on conflict do nothing`,
    );
    await ctx().db.orm.execute(sql`analyze hidden_lookups_rows`);
  });
  afterAll(() => ctx().db.orm.execute(sql`drop table hidden_lookups_rows`));

  async function explain(query: SQL): Promise<PlanNode> {
    const [row] = await select<{ 'QUERY PLAN': unknown }>(ctx().db, sql`explain (analyze, format json) ${query}`);
    const plan = typeof row!['QUERY PLAN'] === 'string' ? JSON.parse(row!['QUERY PLAN']) : row!['QUERY PLAN'];
    return (plan as PlanNode[])[0]!.Plan as PlanNode;
  }

  it('reads hidden_entities once per statement, not once per row, when nothing is hidden', async () => {
    await truncateAll(ctx().db);
    // Vacuumed, the table is known to be empty: what made the planner look it up again for every row.
    await ctx().db.orm.execute(sql`vacuum analyze hidden_entities`);
    expect(hiddenScans(await explain(listing(notHidden('g.id'))))).toBeLessThanOrEqual(1);
    // What it used to ask, for comparison: one look-up per row read (220), the cost this guards against.
    expect(hiddenScans(await explain(listing(sql`not exists (select 1 from hidden_entities h where h.id = g.id)`)))).toBeGreaterThan(200);
  });

  it('leaves out what is hidden, and only that', async () => {
    await truncateAll(ctx().db);
    const ids = async () => (await select<{ id: string }>(ctx().db, listing(notHidden('g.id')))).map((r) => r.id);
    const all = await ids();
    expect(all).toHaveLength(20);
    await ctx().db.orm.execute(
      sql`insert into hidden_entities (id, kind, namespace_id, hidden_by) values (${all[3]}, 'job', gen_random_uuid(), 'test')`,
    );
    await ctx().db.orm.execute(sql`analyze hidden_entities`);
    const shown = await ids();
    expect(shown).not.toContain(all[3]);
    expect(shown.slice(0, 3)).toEqual(all.slice(0, 3));
    expect(shown.slice(3, 19)).toEqual(all.slice(4, 20));
  });
});
