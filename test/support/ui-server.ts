import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';
import { readMigrations } from '../../src/db/migrations-fs';
import { ingestPipeline } from '../../src/ingest/pipeline';
import { nodeUi } from '../../src/ui-node';
import { databases } from './databases';
import { seedStory } from './ui-seed';

export interface UiServer {
  url: string;
  trainingRuns: [string, string];
}

/** The app with the built web UI over `db`, on a free port. */
async function listen(db: Db, env: Record<string, string>) {
  const app = createApp({ db, ...ingestPipeline(db), config: loadConfig(env), ui: nodeUi(), compressReads: true });
  const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => http.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/**
 * The real server for a browser: the app with the built web UI (dist/web/, see test/support/web-build.ts),
 * served over HTTP on a free port, over an embedded database seeded through HTTP with the model story and
 * (unless `corpus: false`) the shared corpus. The seed runs with authentication off (it names its actors);
 * the browser then meets the app configured by `env` (API keys, principals).
 */
export function useUiServer(options: { env?: Record<string, string>; corpus?: boolean } = {}): () => UiServer {
  let server: UiServer | undefined;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const opened = await databases[0]!.open();
    stops.push(opened.drop);
    await migrate(opened.db, await readMigrations());
    const seeding = await listen(opened.db, {});
    const seeded = await seedStory(seeding.url, { corpus: options.corpus ?? true });
    await seeding.close();
    const served = await listen(opened.db, options.env ?? {});
    stops.unshift(served.close);
    server = { url: served.url, ...seeded };
  }, 120_000);
  afterAll(async () => {
    for (const stop of stops) await stop();
  });
  return () => {
    if (!server) throw new Error('server not ready');
    return server;
  };
}
