import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { ids } from '../src/ids';
import { normalizeNext } from '../src/ingest/normalize';
import { Normalizer } from '../src/ingest/normalizer';
import { refreshStaleDocuments } from '../src/ingest/stale-documents';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { runStory } from './support/run-events';
import { staleDocuments } from './support/snapshot';

const JOB = { namespace: 'spark://cluster', name: 'etl.orders_daily' };
const none = { take: () => undefined };

/** A run of runStory's, `hours` after its own times: the job's runs follow each other. */
function later(hours: number) {
  const story = runStory();
  const events = story.events.map((e) => ({
    ...e,
    eventTime: new Date(Date.parse(e.eventTime as string) + hours * 3_600_000).toISOString(),
  }));
  return { runId: story.runId, events };
}
const limits = { events: 1000, bytes: 1 << 30 };

describe.each(databases)('documents built behind the batches on $name', (database) => {
  const ctx = useDatabase(database);

  const marks = (db = ctx().db) =>
    rows<{ kind: string; id: string; runs: string[] | null }>(
      db.orm,
      sql`select kind, id, runs::text[] as runs from stale_documents order by kind, id`,
    );
  const latestRunIds = async () => {
    const [row] = await rows<{ ids: string[] | null }>(
      ctx().db.orm,
      sql`select array(select e->>'id' from json_array_elements(document->'latestRuns') e) as ids
        from job_documents where job_id = ${ids.job(JOB.namespace, JOB.name)}`,
    );
    return row?.ids ?? null;
  };

  it("a batch marks the documents it changes, with the job's changed runs; a refresh builds each once and takes the marks", async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const first = runStory();
    const second = runStory();
    for (const event of [...first.events, ...second.events]) expect((await post(app, event, { wait: false })).status).toBe(201);
    // Two batches, as two normalizers' turns: the second marks the same job again.
    expect((await normalizeNext(db, { ...limits, events: first.events.length }, none)).normalized).toHaveLength(first.events.length);
    expect((await normalizeNext(db, limits, none)).normalized).toHaveLength(second.events.length);

    const jobId = ids.job(JOB.namespace, JOB.name);
    const job = (await marks()).find((m) => m.kind === 'job' && m.id === jobId);
    expect(job?.runs?.sort()).toEqual([first.runId, second.runId].sort());
    expect((await marks()).filter((m) => m.kind === 'dataset').length).toBeGreaterThan(0);
    // Not built yet: the job has no document.
    expect(await latestRunIds()).toBeNull();

    const built = await refreshStaleDocuments(db);
    expect(built).toBe((await rows(db.orm, sql`select 1 from jobs`)).length + (await rows(db.orm, sql`select 1 from datasets`)).length);
    expect(await marks()).toEqual([]);
    expect(await staleDocuments(db)).toEqual([]);
    expect((await latestRunIds())?.sort()).toEqual([first.runId, second.runId].sort());
    expect(await refreshStaleDocuments(db)).toBe(0);
  });

  it('a new run is built and the others kept as they were built: the document is the one built from scratch', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const runs = Array.from({ length: 12 }, (_, i) => later(i));
    for (const run of runs) for (const event of run.events) expect((await post(app, event)).status).toBe(201);
    const before = await latestRunIds();
    expect(before).toEqual(
      runs
        .map((r) => r.runId)
        .reverse()
        .slice(0, 10),
    );
    const next = later(12);
    for (const event of next.events) expect((await post(app, event)).status).toBe(201);
    expect(await latestRunIds()).toEqual([next.runId, ...before!.slice(0, 9)]);
    expect(await staleDocuments(db)).toEqual([]);
  });

  it('a batch holding events someone waits for builds the documents that show them, with all its runs, and marks the others', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const waited = later(0);
    const sameJob = later(1);
    const otherJob = runStory({ job: 'etl.customers_daily', input: 'public.customers', output: '/marts/customers_daily' });
    const eventIds: string[] = [];
    for (const event of [...waited.events, ...sameJob.events, ...otherJob.events]) {
      const answer = await post(app, event, { wait: false });
      expect(answer.status).toBe(201);
      eventIds.push(((await answer.json()) as { id: string }).id);
    }
    const waitedFor = new Set(eventIds.slice(0, waited.events.length));
    const outcome = await normalizeNext(db, limits, none, { documents: { waitedFor } });
    expect(outcome.normalized).toHaveLength(eventIds.length);

    // The waited run's job is built, with the other run of the batch it shows; nothing of it is left marked.
    expect((await latestRunIds())?.sort()).toEqual([waited.runId, sameJob.runId].sort());
    const jobId = ids.job(JOB.namespace, JOB.name);
    const otherId = ids.job(JOB.namespace, 'etl.customers_daily');
    const left = await marks();
    expect(left.filter((m) => m.kind === 'job')).toEqual([{ kind: 'job', id: otherId, runs: [otherJob.runId] }]);
    expect(left.some((m) => m.id === jobId)).toBe(false);
    // Datasets the waited events name are built; the other job's own datasets are marked.
    const otherDatasets = [
      ids.dataset('postgres://db:5432', 'public.customers'),
      ids.dataset('s3://warehouse', '/marts/customers_daily'),
    ].sort();
    expect(left.filter((m) => m.kind === 'dataset').map((m) => m.id)).toEqual(otherDatasets);
    // Built as building everything from scratch would.
    expect(await refreshStaleDocuments(db)).toBe(3);
    expect(await staleDocuments(db)).toEqual([]);
  });

  it('marks left by a normalizer that stopped before building them are built by the next one at start', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const story = runStory();
    for (const event of story.events) expect((await post(app, event, { wait: false })).status).toBe(201);
    await normalizeNext(db, limits, none);
    expect((await marks()).length).toBeGreaterThan(0);

    const normalizer = new Normalizer(db);
    normalizer.start();
    try {
      await expect.poll(async () => (await marks()).length, { timeout: 10_000 }).toBe(0);
      expect(await latestRunIds()).toEqual([story.runId]);
      expect(await staleDocuments(db)).toEqual([]);
    } finally {
      await normalizer.stop();
    }
  });

  it('a client that waits for its events reads their documents built, however recent the last build', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const normalizer = new Normalizer(db);
    normalizer.start();
    try {
      // Normalized by the loop with nobody waiting: built within a second, or when the queue is drained.
      for (const event of later(0).events) expect((await post(app, event, { wait: false })).status).toBe(201);
      const story = later(1);
      const [last, ...rest] = [...story.events].reverse();
      for (const event of rest.reverse()) expect((await post(app, event, { wait: false })).status).toBe(201);
      const answer = await app.request(`/api/v1/lineage?wait=normalized`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(last),
      });
      expect(answer.status).toBe(201);
      const page = (await (await app.request(`/api/v1/namespaces/${encodeURIComponent(JOB.namespace)}/jobs/${JOB.name}`)).json()) as {
        latestRun: { id: string; state: string };
      };
      expect(page.latestRun.id).toBe(story.runId);
      expect(page.latestRun.state).toBe('COMPLETED');
    } finally {
      await normalizer.stop();
    }
  });
});
