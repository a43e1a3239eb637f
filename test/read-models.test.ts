import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { ids } from '../src/ids';
import { buildMissingDocuments } from '../src/read/documents';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { permutations, runStory } from './support/run-events';
import { staleDocuments } from './support/snapshot';

const SHARED = { namespace: 's3://warehouse', name: '/marts/shared' };

/** A reader's run of `/marts/shared` (written by runStory's default output's namespace), `hours` after the writer's. */
function readerStory(hours: number, version?: string) {
  const story = runStory({ job: 'etl.reader', output: '/marts/reader_out' });
  const shift = (t: string) => new Date(Date.parse(t) + hours * 3_600_000).toISOString();
  const events = story.events.slice(0, 3).map((e) => {
    const copy = structuredClone(e) as Record<string, unknown> & { eventTime: string; inputs: unknown[] };
    copy.eventTime = shift(copy.eventTime);
    const versionFacet = version && {
      version: {
        _producer: 'https://example.com/p',
        _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
        datasetVersion: version,
      },
    };
    copy.inputs = copy.inputs.length ? [{ ...SHARED, ...(versionFacet && { facets: versionFacet }) }] : [];
    return copy;
  });
  return { runId: story.runId, events };
}

describe.each(databases)('read models on $name', (database) => {
  const ctx = useDatabase(database);

  /** The version the reader's latest run read, as its job's document says. */
  async function versionRead(): Promise<unknown> {
    const [row] = await rows<{ v: unknown }>(
      ctx().db.orm,
      sql`select (x.document->'latestRun'->'inputDatasetVersions'->0->'datasetVersionId'->>'version') as v
        from job_documents x where x.job_id = ${ids.job('spark://cluster', 'etl.reader')}`,
    );
    return row?.v ?? null;
  }

  const writerVersion = async () => {
    const [row] = await rows<{ id: string }>(
      ctx().db.orm,
      sql`select id from dataset_versions where dataset_id = ${ids.dataset(SHARED.namespace, SHARED.name)}`,
    );
    return row!.id;
  };

  it("a reader's document shows the version it read, whichever of the writer's and the reader's events came first", async () => {
    const { app, db } = ctx();
    // The writer's run writes /marts/shared at 10:01; the reader's starts at 11:00 and names no version.
    const writer = runStory({ output: SHARED.name });
    const reader = readerStory(1);
    for (const order of permutations([writer.events[0]!, writer.events[2]!, reader.events[0]!, reader.events[2]!])) {
      await truncateAll(db);
      for (const event of order) expect((await post(app, event)).status).toBe(201);
      expect(await staleDocuments(db)).toEqual([]);
      expect(await versionRead()).toBe(await writerVersion());
    }
  });

  it('a reader naming a version gets it once the writer is normalized, even when it started before', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    const writer = runStory({ output: SHARED.name });
    // Starts an hour before the write, so only the name (the writer's dataset-version facet, 42) finds it.
    const reader = readerStory(-1, '42');
    for (const event of reader.events) expect((await post(app, event)).status).toBe(201);
    expect(await versionRead()).toBeNull();
    for (const event of writer.events) expect((await post(app, event)).status).toBe(201);
    expect(await staleDocuments(db)).toEqual([]);
    expect(await versionRead()).toBe(await writerVersion());
  });

  it('builds the documents that are missing, as for rows stored before the read models existed', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    for (const event of runStory().events) expect((await post(app, event)).status).toBe(201);
    const before = await rows(db.orm, sql`select job_id, document::text from job_documents order by 1`);
    await db.orm.execute(sql`delete from job_documents`);
    await db.orm.execute(sql`delete from dataset_documents where dataset_id = ${ids.dataset('postgres://db:5432', 'public.orders')}`);
    expect(await staleDocuments(db)).toHaveLength(2);
    expect(await buildMissingDocuments(db)).toBe(2);
    expect(await staleDocuments(db)).toEqual([]);
    expect(await rows(db.orm, sql`select job_id, document::text from job_documents order by 1`)).toEqual(before);
    expect(await buildMissingDocuments(db)).toBe(0);
  });

  it('tags change the documents in the same transaction', async () => {
    const { app, db } = ctx();
    await truncateAll(db);
    for (const event of runStory().events) expect((await post(app, event)).status).toBe(201);
    const base = '/api/v1/namespaces/s3%3A%2F%2Fwarehouse/datasets/%2Fmarts%2Forders_daily';
    expect((await app.request(`${base}/tags/GOLD`, { method: 'POST' })).status).toBe(200);
    expect((await app.request(`${base}/fields/day/tags/PII`, { method: 'POST' })).status).toBe(200);
    expect(
      (await app.request('/api/v1/namespaces/spark%3A%2F%2Fcluster/jobs/etl.orders_daily/tags/NIGHTLY', { method: 'POST' })).status,
    ).toBe(200);
    expect(await staleDocuments(db)).toEqual([]);
    const dataset = (await (await app.request(base)).json()) as { tags: string[]; fields: { name: string; tags: string[] }[] };
    expect(dataset.tags).toEqual(['GOLD']);
    expect(dataset.fields.find((f) => f.name === 'day')!.tags).toEqual(['PII']);
    expect((await app.request(`${base}/tags/GOLD`, { method: 'DELETE' })).status).toBe(200);
    expect(await staleDocuments(db)).toEqual([]);
  });
});
