import { describe, expect, it } from 'vitest';
import type { Query } from '../src/db/client';
import { prepareAndPlan } from '../src/ingest/ingest';
import { normalizePlans, storePlans } from '../src/ingest/store';
import { databases, useDatabase } from './support/databases';
import { runStory } from './support/run-events';

/** A transaction's statements, as the driver is given them. */
function spied(query: Query, texts: { text: string; params: unknown[] }[]): Query {
  const spy = ((q: Parameters<Query>[0]) => query(q)) as Query;
  spy.raw = (text, params = []) => {
    texts.push({ text, params });
    return query.raw(text, params);
  };
  spy.unprepared = query.unprepared;
  spy.maxRows = query.maxRows;
  return spy;
}

const plan = (event: unknown) => {
  const prepared = prepareAndPlan(JSON.stringify(event), { strict: false });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
  return prepared.plan;
};

describe.each(databases)('facet values sent to $name', (database) => {
  const ctx = useDatabase(database);

  it('sends a value already stored no more, and a new one once', async () => {
    const { db } = ctx();
    const event = runStory().events[2] as { run: { facets?: Record<string, unknown> } };
    const first = plan(event);
    expect(first.facetValues.length).toBeGreaterThan(0);
    await db.transaction((query) => storePlans(query, [first]));

    const sent = async (p: ReturnType<typeof plan>) => {
      const texts: { text: string; params: unknown[] }[] = [];
      await db.transaction((query) => normalizePlans(spied(query, texts), [p]));
      // The columnar statement's first parameter: the ids, as an array literal.
      return texts
        .filter((t) => t.text.startsWith('insert into "facet_values"'))
        .flatMap((t) =>
          String(t.params[0])
            .slice(1, -1)
            .split(',')
            .map((id) => id.replace(/"/g, '')),
        );
    };
    expect(await sent(first)).toEqual([]);
    const changed = { ...event, run: { ...event.run, facets: { ...event.run.facets, extra: { _producer: 'p', _schemaURL: 's', n: 1 } } } };
    const second = plan(changed);
    const added = second.facetValues.filter((v) => !first.facetValues.some((f) => f.id === v.id)).map((v) => v.id);
    expect(added).toHaveLength(1);
    expect(await sent(second)).toEqual(added);
  });
});
