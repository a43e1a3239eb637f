import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import type { Db } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';
import { readMigrations } from '../../src/db/migrations-fs';
import { openPglite } from '../../src/db/pglite';
import { openPostgres } from '../../src/db/postgres';
import type { Normalizer } from '../../src/ingest/normalizer';
import { ingestPipeline } from '../../src/ingest/pipeline';
import { NORMALIZED_TABLES } from '../../src/ingest/replay';
import type { EventWriter } from '../../src/ingest/writer';
import { Metrics } from '../../src/metrics';

const url = process.env.TEST_DATABASE_URL;
if (process.env.CI && !url) {
  throw new Error('CI is set but TEST_DATABASE_URL is not: the suite must run against a real PostgreSQL (see .ci/run)');
}

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** `url` is set for the real server, so a test can open more connections to the same database. */
  open(): Promise<{ db: Db; url?: string; drop(): Promise<void> }>;
}

/** Each test file gets its own database on the real server, dropped afterwards. */
async function freshPostgres(): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const name = `pedigree_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(url!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url!);
  target.pathname = `/${name}`;
  const db = openPostgres(target.toString(), { max: 10 });
  return {
    db,
    url: target.toString(),
    drop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export const databases: TestDatabase[] = [
  {
    name: 'pglite',
    open: async () => {
      const db = await openPglite();
      return { db, drop: () => db.close() };
    },
  },
  ...(url ? [{ name: 'postgres' as const, open: freshPostgres }] : []),
];

export interface TestContext {
  db: Db;
  /** The database's URL on the real server (to open more connections to it, as another instance would). */
  url?: string;
  app: App;
  writer: EventWriter;
  /**
   * Not started: events are normalized when a request waits for them (`Prefer: wait=normalized`, which
   * `post` sends by default) or a test drains the queue, so what a test reads never depends on timing.
   */
  normalizer: Normalizer;
  config: Config;
  metrics: Metrics;
}

/**
 * Opens and migrates the database once per file (PGlite in memory, or a fresh database on the real
 * server) and builds the real app over it. Returns a getter: the context exists once beforeAll ran.
 */
export function useDatabase(which: TestDatabase, env: Record<string, string> = {}): () => TestContext {
  let ctx: TestContext | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = await which.open();
    drop = opened.drop;
    await migrate(opened.db, await readMigrations());
    const config = loadConfig(env);
    // As the entry points do: the writer and the normalizer report to the app's metrics.
    const metrics = new Metrics({ maxProducers: config.metrics.maxProducers });
    const { writer, normalizer } = ingestPipeline(opened.db, config, { metrics });
    ctx = {
      db: opened.db,
      url: opened.url,
      writer,
      normalizer,
      config,
      metrics,
      app: createApp({ db: opened.db, writer, normalizer, config, metrics }),
    };
  }, 60_000);
  afterAll(async () => {
    await ctx?.normalizer.stop();
    await drop?.();
  });
  return () => {
    if (!ctx) throw new Error('database not ready');
    return ctx;
  };
}

/** Empties every table, between tests that need a clean slate. */
export async function truncateAll(db: Db): Promise<void> {
  await db.orm.execute(
    sql.raw(
      `truncate lineage_events, pending_events, normalization_failures, rejected_events, hidden_entities, ${NORMALIZED_TABLES.join(', ')}`,
    ),
  );
}
