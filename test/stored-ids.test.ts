import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { storedIds } from '../src/ingest/queue';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { runStory } from './support/run-events';

describe.each(databases)('which events are stored, on $name', (database) => {
  const ctx = useDatabase(database);

  it('finds events by id and event time, and by id alone when stored under another time', async () => {
    const { app, db } = ctx();
    const [first, second] = runStory().events;
    const ids: string[] = [];
    for (const event of [first, second]) ids.push(((await (await post(app, JSON.stringify(event))).json()) as { id: string }).id);
    const stored = await rows<{ id: string; t: string }>(
      db.orm,
      sql`select id, event_time::text as t from lineage_events where id = any(${`{${ids.join(',')}}`}::uuid[]) order by id`,
    );
    expect(stored).toHaveLength(2);
    const asked = stored.map((r) => ({ id: r.id, eventTime: r.t }));
    const missing = { id: '00000000-0000-8000-8000-000000000000', eventTime: asked[0]!.eventTime };
    const check = (events: typeof asked) => db.transaction((query) => storedIds(query, events));
    expect(await check([...asked, missing])).toEqual(new Set(ids));
    // An event whose time is read differently now than when it was stored is still found.
    const shifted = [{ ...asked[0]!, eventTime: '1999-01-01T00:00:00Z' }, asked[1]!];
    expect(await check(shifted)).toEqual(new Set(ids));
    expect(await check([])).toEqual(new Set());
  });
});
