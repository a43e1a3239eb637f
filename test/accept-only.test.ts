import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/client';
import { openPostgres } from '../src/db/postgres';
import { Normalizer } from '../src/ingest/normalizer';
import { ingestPipeline } from '../src/ingest/pipeline';
import { databases, truncateAll, useDatabase } from './support/databases';
import { post } from './support/events';
import { runStory } from './support/run-events';
import { count } from './support/snapshot';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

describe('PEDIGREE_NORMALIZE', () => {
  const url = { DATABASE_URL: 'postgres://db/pedigree' };
  it('is on unless said off', () => {
    expect(loadConfig({}).normalize.enabled).toBe(true);
    expect(loadConfig({ ...url, PEDIGREE_NORMALIZE: 'on' }).normalize.enabled).toBe(true);
    expect(loadConfig({ ...url, PEDIGREE_NORMALIZE: 'off' }).normalize.enabled).toBe(false);
  });
  it('is refused by name off without PostgreSQL (nothing else would normalize), or when not a yes or no', () => {
    expect(() => loadConfig({ PEDIGREE_NORMALIZE: 'off' })).toThrow(/PEDIGREE_NORMALIZE=off needs DATABASE_URL/);
    expect(() => loadConfig({ ...url, PEDIGREE_NORMALIZE: 'later' })).toThrow(/PEDIGREE_NORMALIZE must be true or false/);
  });
});

describe.each(databases)('an instance that only accepts (PEDIGREE_NORMALIZE=off) on $name', (database) => {
  const ctx = useDatabase(database);

  /** An app whose pipeline normalizes nothing, waiting at most `waitSeconds` for another instance. */
  const acceptingOnly = (db: Db, waitSeconds: number) => {
    const { normalize, ...rest } = ctx().config;
    const config = { ...rest, normalize: { ...normalize, enabled: false, waitSeconds } };
    const pipeline = ingestPipeline(db, config);
    pipeline.normalizer.start();
    const app = createApp({ db, ...pipeline, config });
    return { app, normalizer: pipeline.normalizer };
  };

  it('stores and queues what it accepts and normalizes none of it, not even for a request that waits', async () => {
    const { db } = ctx();
    await truncateAll(db);
    const { app, normalizer } = acceptingOnly(db, 1);
    try {
      const story = runStory();
      for (const event of story.events.slice(0, -1)) expect((await post(app, event, { wait: false })).status).toBe(201);
      const waited = await post(app, story.events.at(-1));
      expect(waited.status).toBe(201);
      expect(((await waited.json()) as Json).normalization).toBe('pending');
      expect((await normalizer.drain()).normalized).toBe(0);
      expect(await count(db, 'lineage_events')).toBe(story.events.length);
      expect(await count(db, 'pending_events')).toBe(story.events.length);
      expect(await count(db, 'runs')).toBe(0);
    } finally {
      await normalizer.stop();
    }
  });

  it('answers a request that waits once another instance has normalized its event', async () => {
    const { db, url } = ctx();
    await truncateAll(db);
    const { app, normalizer } = acceptingOnly(db, 20);
    // The instance that normalizes: its own connections when the database is a server.
    const other: Db = url ? openPostgres(url, { max: 4 }) : db;
    try {
      const story = runStory();
      for (const event of story.events.slice(0, -1)) await post(app, event, { wait: false });
      const waiting = post(app, story.events.at(-1));
      await new Promise((r) => setTimeout(r, 300));
      expect(await count(db, 'runs')).toBe(0);
      expect((await new Normalizer(other).drain()).normalized).toBe(story.events.length);
      const answer = (await (await waiting).json()) as Json;
      expect(answer.normalization).toBe('normalized');
      expect(await count(db, 'pending_events')).toBe(0);
      expect(await count(db, 'runs', `id = '${story.runId}' and state = 'COMPLETE'`)).toBe(1);
    } finally {
      await normalizer.stop();
      if (other !== db) await other.close();
    }
  });
});
