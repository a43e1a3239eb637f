import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { rows } from '../src/db/client';
import { ingestPipeline } from '../src/ingest/pipeline';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { runStory } from './support/run-events';
import { count, staleDocuments } from './support/snapshot';

describe.each(databases)('concurrent writers on $name', (database) => {
  const ctx = useDatabase(database);

  it('32 posters on overlapping datasets finish without error or duplicates', async () => {
    const { db, config } = ctx();
    await truncateAll(db);
    // Several pipelines over one database stand for several Pedigree instances: their writers' and their
    // normalizers' transactions overlap (small batches, two at a time each).
    const apps = Array.from({ length: 4 }, () =>
      createApp({
        db,
        config,
        ...ingestPipeline(db, { writeConcurrency: 2, normalize: { ...config.normalize, batchEvents: 8, concurrency: 2 } }),
      }),
    );
    const stories = Array.from({ length: 32 }, (_, i) =>
      runStory({ job: `job_${i % 8}`, input: `public.shared_${i % 3}`, output: `/marts/out_${i % 5}` }),
    );
    const posts = stories.flatMap((s, i) => s.events.map((e) => post(apps[i % apps.length]!, e)));
    const statuses = (await Promise.all(posts)).map((r) => r.status);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);

    expect(await count(db, 'lineage_events')).toBe(32 * 4);
    expect(await count(db, 'runs')).toBe(32);
    expect(await count(db, 'jobs')).toBe(8);
    expect(await count(db, 'datasets')).toBe(3 + 5);
    expect(await count(db, 'run_io')).toBe(32 * 2);
    expect(await count(db, 'dataset_versions')).toBe(32);
    const states = await rows<{ state: string; n: string | number }>(db.orm, sql`select state, count(*) as n from runs group by state`);
    expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['COMPLETE', 32]]);
    // Each run has exactly one job version, and each job's current version is one of its runs'.
    expect(await count(db, 'runs', 'job_version_id is null')).toBe(0);
    expect(await count(db, 'jobs j', 'not exists (select 1 from runs r where r.job_version_id = j.current_version_id)')).toBe(0);
    // The read models are what the stored rows make them, though each was built by overlapping transactions.
    expect(await staleDocuments(db)).toEqual([]);
  });

  it('an acceptance that fails stores nothing, and does not fail its neighbours', async () => {
    const { db, app } = ctx();
    await truncateAll(db);
    await db.orm.execute(sql`create or replace function pedigree_test_explode() returns trigger language plpgsql as $$
      begin if new.raw like '%"explode"%' then raise exception 'boom'; end if; return new; end $$`);
    await db.orm.execute(
      sql`create trigger pedigree_test_explode before insert on lineage_events for each row execute function pedigree_test_explode()`,
    );
    try {
      const bad = runStory({ job: 'explode' }).events[2]!;
      const good = runStory({ runId: randomUUID() }).events[2]!;
      const [badRes, goodRes] = await Promise.all([post(app, bad), post(app, good)]);
      expect(badRes.status).toBe(500);
      expect(goodRes.status).toBe(201);
      expect(await count(db, 'lineage_events')).toBe(1);
      expect(await count(db, 'pending_events')).toBe(0);
      expect(await count(db, 'jobs', `name = 'explode'`)).toBe(0);
      expect(await count(db, 'runs')).toBe(1);
    } finally {
      await db.orm.execute(sql`drop trigger pedigree_test_explode on lineage_events`);
    }
  });

  it('a normalization that fails leaves nothing of its event normalized, and does not fail its neighbours', async () => {
    const { db, app } = ctx();
    await truncateAll(db);
    await db.orm.execute(sql`create or replace function pedigree_test_explode() returns trigger language plpgsql as $$
      begin if new.job_name = 'explode' then raise exception 'boom'; end if; return new; end $$`);
    await db.orm.execute(
      sql`create trigger pedigree_test_explode before insert on runs for each row execute function pedigree_test_explode()`,
    );
    try {
      const bad = runStory({ job: 'explode', input: 'public.only_bad_reads_this', output: '/only/bad/writes/this' }).events[2]!;
      const good = runStory({ runId: randomUUID() }).events[2]!;
      const [badRes, goodRes] = await Promise.all([post(app, bad), post(app, good)]);
      // Both are accepted (stored verbatim): the bad one is set aside, the good one normalized.
      expect([badRes.status, goodRes.status]).toEqual([201, 201]);
      expect(((await badRes.json()) as { normalization: string }).normalization).toBe('failed');
      expect(((await goodRes.json()) as { normalization: string }).normalization).toBe('normalized');
      expect(await count(db, 'lineage_events')).toBe(2);
      expect(await count(db, 'normalization_failures')).toBe(1);
      expect(await count(db, 'datasets', `name in ('public.only_bad_reads_this', '/only/bad/writes/this')`)).toBe(0);
      expect(await count(db, 'jobs', `name = 'explode'`)).toBe(0);
      expect(await count(db, 'facets', `run_id = '${(bad as { run: { runId: string } }).run.runId}'`)).toBe(0);
      expect(await count(db, 'runs')).toBe(1);
    } finally {
      await db.orm.execute(sql`drop trigger pedigree_test_explode on runs`);
    }
  });
});
