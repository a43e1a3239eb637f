import { describe, expect, it } from 'vitest';
import { replayEvents } from '../src/ingest/replay';
import { databases, useDatabase } from './support/databases';
import { corpusFiles, corpusText, post } from './support/events';
import { runStory } from './support/run-events';
import { snapshot } from './support/snapshot';

describe.each(databases)('replaying stored events on $name', (database) => {
  const ctx = useDatabase(database);

  it('rebuilds exactly the normalized state from the verbatim events', async () => {
    const { app, db } = ctx();
    for (const file of corpusFiles()) await post(app, corpusText(file));
    for (const event of runStory().events) await post(app, event);
    const before = await snapshot(db);
    expect(before.lineage_events!.length).toBeGreaterThan(80);

    const result = await replayEvents(db, { rebuild: true, pageSize: 7 });
    expect(result).toEqual({ events: before.lineage_events!.length, skipped: [] });
    expect(await snapshot(db)).toEqual(before);

    // Without rebuilding, replay is idempotent.
    await replayEvents(db);
    expect(await snapshot(db)).toEqual(before);
  });
});
