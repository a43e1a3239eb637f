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

    const result = await replayEvents(db, { rebuild: true, batchEvents: 7 });
    expect(result).toEqual({ events: before.lineage_events!.length, failed: [] });
    expect(await snapshot(db)).toEqual(before);

    // Without rebuilding, replay is idempotent.
    await replayEvents(db);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe.each(databases)('exporting to another instance on $name', (database) => {
  const source = useDatabase(database);
  const target = useDatabase(database);

  it('re-imports every event under the same id, normalized the same', async () => {
    const { exportEvents } = await import('../src/ingest/export');
    for (const file of corpusFiles()) await post(source().app, corpusText(file));
    let body = '';
    for await (const piece of exportEvents(source().db, 13)) body += piece;
    const res = await post(target().app, body, { path: '/api/v1/lineage/batch' });
    const result = (await res.json()) as { summary: { received: number; successful: number } };
    const before = await snapshot(source().db);
    expect(result.summary).toMatchObject({ received: before.lineage_events!.length, successful: before.lineage_events!.length });
    const after = await snapshot(target().db);
    const trimmed = (rows: unknown[]) => rows.map((r) => ({ ...(r as object), raw: String((r as { raw: string }).raw).trim() }));
    expect(trimmed(after.lineage_events!)).toEqual(trimmed(before.lineage_events!));
    for (const table of Object.keys(before).filter((t) => t !== 'lineage_events')) expect(after[table], table).toEqual(before[table]);
  });
});
