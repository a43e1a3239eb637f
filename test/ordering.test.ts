import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { permutations, runStory } from './support/run-events';
import { snapshot, staleDocuments } from './support/snapshot';

describe.each(databases)('arrival order on $name', (database) => {
  const ctx = useDatabase(database);

  it("every order of one run's events gives the same state, normalized one by one or in one batch", async () => {
    const { app, db, normalizer } = ctx();
    const story = runStory();
    let reference: Awaited<ReturnType<typeof snapshot>> | undefined;
    for (const order of permutations(story.events)) {
      await truncateAll(db);
      for (const event of order) expect((await post(app, event)).status).toBe(201);
      const state = await snapshot(db);
      if (!reference) reference = state;
      else expect(state).toEqual(reference);
      expect(await staleDocuments(db)).toEqual([]);
      // The same order accepted first and normalized in one batch: the same state again.
      await truncateAll(db);
      for (const event of order) expect((await post(app, event, { wait: false })).status).toBe(201);
      await normalizer.drain();
      expect(await snapshot(db)).toEqual(reference);
    }
    // And that state is the right one: terminal state kept, version from the facet, IO union.
    const [run] = await rows<{ state: string; job_version_id: string | null }>(
      db.orm,
      sql`select state, job_version_id from runs where id = ${story.runId}`,
    );
    expect(run!.state).toBe('COMPLETE');
    expect(run!.job_version_id).not.toBeNull();
    const versions = await rows<{ version: string }>(db.orm, sql`select version from dataset_versions`);
    expect(versions.map((v) => v.version)).toEqual(['42']);
    const io = await rows(db.orm, sql`select direction from job_version_io order by direction`);
    expect(io).toEqual([{ direction: 'in' }, { direction: 'out' }]);
    expect(await rows(db.orm, sql`select 1 from job_versions`)).toHaveLength(1);
  });

  it('two runs of one job, one of them a child of the other, in every order', async () => {
    const { app, db } = ctx();
    const parent = runStory({ job: 'dag' });
    const child = runStory({ job: 'dag.task', input: 'public.customers', output: '/marts/customers' });
    const childEvents = child.events.slice(0, 3).map((e) => {
      const copy = structuredClone(e) as { run: { facets: Record<string, unknown> } };
      copy.run.facets.parent = {
        _producer: 'https://example.com/p',
        _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet',
        run: { runId: parent.runId },
        job: { namespace: 'spark://cluster', name: 'dag' },
      };
      return copy;
    });
    const events = [parent.events[0]!, parent.events[2]!, childEvents[0]!, childEvents[2]!];
    let reference: Awaited<ReturnType<typeof snapshot>> | undefined;
    for (const order of permutations(events)) {
      await truncateAll(db);
      for (const event of order) expect((await post(app, event)).status).toBe(201);
      const state = await snapshot(db);
      if (!reference) reference = state;
      else expect(state).toEqual(reference);
    }
    const [run] = await rows<{ parent_run_id: string }>(db.orm, sql`select parent_run_id from runs where id = ${child.runId}`);
    expect(run!.parent_run_id).toBe(parent.runId);
  });

  it('a late RUNNING does not overwrite a terminal state, nor an earlier FAIL a later COMPLETE', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const story = runStory();
    const [start, running, complete] = story.events as Record<string, unknown>[];
    const fail = { ...complete!, eventType: 'FAIL', eventTime: '2024-05-01T10:00:50.000Z' };
    for (const e of [complete, fail, start, { ...running!, eventTime: '2024-05-01T11:00:00.000Z' }]) await post(app, e);
    const [run] = await rows<{ state: string }>(db.orm, sql`select state from runs where id = ${story.runId}`);
    expect(run!.state).toBe('COMPLETE');
  });
});
