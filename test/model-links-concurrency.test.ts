import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, rows } from '../src/db/client';
import { openPostgres } from '../src/db/postgres';
import { prepareAndPlan } from '../src/ingest/ingest';
import { storePlans } from '../src/ingest/store';
import { lockLinksForRegistry, refreshLinks } from '../src/models/link-refresh';
import { versionLinks } from '../src/models/links';
import { createModelVersion, createRegisteredModel } from '../src/models/registry';
import { databases, useDatabase } from './support/databases';
import { ORDERS_V21_FIELDS, trainingEvents } from './support/model-story';

/**
 * A version registered while its training run's events are being written, on a real server where the
 * two transactions overlap: neither sees what the other has not committed, so the links would be missed
 * unless the second to refresh waits for the first to commit (the links lock).
 */
describe.runIf(databases.some((d) => d.name === 'postgres'))('links when ingest and the registry overlap, on postgres', () => {
  const ctx = useDatabase(databases.find((d) => d.name === 'postgres')!);

  const plansOf = (runId: string) =>
    trainingEvents({
      runId,
      mlflowRunId: `exp-${runId.slice(0, 8)}`,
      time: '2026-03-01T06:00:00Z',
      ordersVersion: '2.1',
      ordersFields: ORDERS_V21_FIELDS,
      commit: 'c0ffee1',
      learningRate: '0.1',
      artifact: { namespace: 's3://models', name: `/${runId}` },
    }).map((e) => {
      const prepared = prepareAndPlan(JSON.stringify(e), { strict: false });
      if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
      return prepared.plan;
    });

  /** A transaction of `db` that does `work`, then stays open until `release` is called. */
  function heldOpen(db: Db, work: (query: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<void>) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let ready!: () => void;
    const done = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const committed = db.transaction(async (query) => {
      await work(query);
      ready();
      await released;
    });
    return { done, release, committed };
  }

  /** The test's database on the real server, for a second client. */
  async function urlOf(db: Db) {
    const [row] = await rows<{ name: string }>(db.orm, sql`select current_database() as name`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${row!.name}`;
    return url.toString();
  }

  /** Waits until some session waits for an advisory lock (the other transaction reached the lock). */
  async function someoneWaitsForTheLock(db: Db) {
    for (let i = 0; i < 200; i++) {
      const [w] = await rows<{ n: number }>(
        db.orm,
        sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory'
          and datname = current_database()`,
      );
      if (w!.n > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('nobody waited for the links lock');
  }

  it('links a version whose registration is in progress when its training events are written', async () => {
    const { db, writer, normalizer } = ctx();
    const other = openPostgres(await urlOf(db), { max: 1 });
    try {
      const run = randomUUID();
      await createRegisteredModel(db, 'alice', { name: 'racing' });
      // The registry's transaction: the version inserted and its links refreshed (no run yet), not committed.
      const registry = heldOpen(other, async (query) => {
        await lockLinksForRegistry(query);
        await query(sql`insert into model_versions (model_name, version, run_id, run_uuid, status, stage, source_dataset_ids, created_at, updated_at)
          values ('racing', 1, ${run}, ${run}, 'READY', 'None', '{}', now(), now())`);
        await refreshLinks(query, [{ name: 'racing', version: 1 }]);
      });
      await registry.done;
      // Accepted, then normalized: the normalization transaction is the one that refreshes links.
      const ingest = writer.write(plansOf(run).map((p) => p.event)).then(() => normalizer.drain());
      await someoneWaitsForTheLock(db);
      registry.release();
      await registry.committed;
      await ingest;
      expect(
        (await versionLinks(db, { name: 'racing', version: 1 })).filter((l) => l.kind === 'run').map((l) => [l.runId, l.method]),
      ).toEqual([[run, 'run_id']]);
    } finally {
      await other.close();
    }
  });

  it('links a version registered while its training events are being written', async () => {
    const { db } = ctx();
    const other = openPostgres(await urlOf(db), { max: 1 });
    try {
      const run = randomUUID();
      await createRegisteredModel(db, 'alice', { name: 'racing2' });
      // The ingest transaction: the events written and the links refreshed (no version yet), not committed.
      const ingest = heldOpen(other, async (query) => {
        await storePlans(query, plansOf(run));
      });
      await ingest.done;
      const registered = createModelVersion(db, 'alice', { name: 'racing2', runId: run });
      await someoneWaitsForTheLock(db);
      ingest.release();
      await ingest.committed;
      await registered;
      expect(
        (await versionLinks(db, { name: 'racing2', version: 1 })).filter((l) => l.kind === 'run').map((l) => [l.runId, l.method]),
      ).toEqual([[run, 'run_id']]);
    } finally {
      await other.close();
    }
  });
});
