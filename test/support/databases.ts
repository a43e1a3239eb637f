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
import { retriedTransaction } from '../../src/db/retry';
import type { Normalizer } from '../../src/ingest/normalizer';
import { ingestPipeline } from '../../src/ingest/pipeline';
import { NORMALIZED_TABLES } from '../../src/ingest/replay';
import type { EventWriter } from '../../src/ingest/writer';
import { Metrics } from '../../src/metrics';
import { startWranglerDev } from './wrangler-dev';

const url = process.env.TEST_DATABASE_URL;
if (process.env.CI && !url) {
  throw new Error('CI is set but TEST_DATABASE_URL is not: the suite must run against a real PostgreSQL (see .ci/run)');
}
/**
 * `workerd` (set by vitest's project of that name, see vitest.config.ts): the same test files, their app
 * the Worker (src/worker.ts) in `wrangler dev`, reaching the real server through its Hyperdrive binding.
 */
const runtime = process.env.PEDIGREE_TEST_RUNTIME ?? 'node';
if (runtime === 'workerd' && !url) {
  throw new Error('PEDIGREE_TEST_RUNTIME=workerd needs TEST_DATABASE_URL: the Worker reaches PostgreSQL through Hyperdrive');
}

export interface TestDatabase {
  /** `workerd` is the real server too, its app the Worker in `wrangler dev`. */
  name: 'pglite' | 'postgres' | 'workerd';
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

/** The real server with the Worker as its app, for tests of the Worker itself (in any project). */
export const workerdDatabase: TestDatabase | undefined = url ? { name: 'workerd', open: freshPostgres } : undefined;

export const databases: TestDatabase[] =
  runtime === 'workerd'
    ? [workerdDatabase!]
    : [
        {
          name: 'pglite',
          open: async () => {
            const db = await openPglite();
            return { db, drop: () => db.close() };
          },
        },
        ...(url ? [{ name: 'postgres' as const, open: freshPostgres }] : []),
      ];

/** What the tests call on the app: `request()` and `fetch`, in process (Hono's) or over HTTP to the Worker. */
export type TestApp = Pick<App, 'request' | 'fetch'>;

/**
 * The app over HTTP at `base`, called as Hono's is: `request()` takes a path (or a URL, whose path and
 * query are kept) and the request's init, `fetch` a Request. Redirects are answered, not followed. fetch
 * decodes a compressed answer: its Content-Encoding and Content-Length go with it (served again, as a test
 * does with `fetch`, the answer would otherwise claim to be what it no longer is).
 */
function overHttp(base: string): TestApp {
  const fetchRemote = async (request: Request) => {
    const u = new URL(request.url);
    const res = await fetch(new Request(`${base}${u.pathname}${u.search}`, request), { redirect: 'manual' });
    if (!res.headers.has('content-encoding')) return res;
    const headers = new Headers(res.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
  return {
    fetch: fetchRemote,
    request: (input: RequestInfo | URL, init?: RequestInit) =>
      fetchRemote(input instanceof Request ? new Request(input, init) : new Request(new URL(String(input), 'http://localhost'), init)),
  };
}

export interface TestContext {
  db: Db;
  /** The database's URL on the real server (to open more connections to it, as another instance would). */
  url?: string;
  /**
   * The app over `db`. On `workerd` it is the Worker, and `writer`, `normalizer` and `metrics` are this
   * process's over the same database, not the Worker's.
   */
  app: TestApp;
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
 *
 * On `workerd` the database is migrated from here (Workers never migrate) and the app is `wrangler dev`
 * started over it with `env` as the Worker's variables.
 */
export function useDatabase(which: TestDatabase, env: Record<string, string> = {}): () => TestContext {
  let ctx: TestContext | undefined;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const opened = await which.open();
    stops.push(opened.drop);
    await migrate(opened.db, await readMigrations());
    let app: TestApp | undefined;
    if (which.name === 'workerd') {
      const worker = await startWranglerDev({ databaseUrl: opened.url!, vars: env });
      stops.unshift(worker.stop);
      app = overHttp(worker.url);
    }
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
      app: app ?? createApp({ db: opened.db, writer, normalizer, config, metrics }),
    };
  }, 90_000);
  afterAll(async () => {
    await ctx?.normalizer.stop();
    for (const stop of stops) await stop();
  });
  return () => {
    if (!ctx) throw new Error('database not ready');
    return ctx;
  };
}

/**
 * Empties every table, between tests that need a clean slate. TRUNCATE locks its tables one after another,
 * and a normalizer still at work behind the last test (a thread building documents, say) may hold some of
 * them and want another: when the deadlock's loser is the TRUNCATE, it runs again.
 */
export async function truncateAll(db: Db): Promise<void> {
  await retriedTransaction(db, (query) =>
    query(
      sql.raw(
        `truncate lineage_events, pending_events, normalization_failures, rejected_events, hidden_entities, ${NORMALIZED_TABLES.join(', ')}`,
      ),
    ),
  );
}
