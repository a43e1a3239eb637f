import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { migrate } from '../../src/db/migrate';
import { readMigrations } from '../../src/db/migrations-fs';
import { EventWriter } from '../../src/ingest/writer';
import { nodeUi } from '../../src/ui-node';
import { databases } from './databases';
import { seedStory } from './ui-seed';

export interface UiServer {
  url: string;
  trainingRuns: [string, string];
}

/**
 * The real server for a browser: the app with the built web UI (dist/web/, see test/support/web-build.ts),
 * served over HTTP on a free port, over an embedded database seeded with the shared corpus and the model
 * story through HTTP.
 */
export function useUiServer(env: Record<string, string> = {}): () => UiServer {
  let server: UiServer | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = await databases[0]!.open();
    await migrate(opened.db, await readMigrations());
    const config = loadConfig(env);
    const app = createApp({ db: opened.db, writer: new EventWriter(opened.db), config, ui: nodeUi() });
    const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => http.once('listening', () => resolve()));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    stop = async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await opened.drop();
    };
    const seeded = await seedStory(url);
    server = { url, ...seeded };
  }, 120_000);
  afterAll(async () => {
    await stop?.();
  });
  return () => {
    if (!server) throw new Error('server not ready');
    return server;
  };
}
