import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, rows } from '../src/db/client';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { databases } from './support/databases';
import { runStory } from './support/run-events';
import { send, startServer } from './support/server-process';

describe.each(databases)('a server killed with SIGKILL on $name', (database) => {
  it('has every event it answered 201 stored, and normalized after it restarts', async () => {
    const opened = database.name === 'postgres' ? await database.open() : undefined;
    const dir = await mkdtemp(join(tmpdir(), 'pedigree-kill-'));
    const env: Record<string, string> = opened?.url ? { DATABASE_URL: opened.url } : { PEDIGREE_DATA_DIR: dir };
    try {
      const first = await startServer(env);
      // Posters keep sending (without waiting for normalization) until the server dies under them.
      const answered: { id: string; runId: string }[] = [];
      let dead = false;
      const poster = async () => {
        while (!dead) {
          const event = runStory().events[0]!;
          const res = await send(new URL('/api/v1/lineage', first.url), JSON.stringify(event), {
            'content-type': 'application/json',
          }).catch(() => undefined);
          if (res?.status === 201)
            answered.push({ id: (JSON.parse(res.body) as { id: string }).id, runId: (event as { run: { runId: string } }).run.runId });
        }
      };
      const posters = Array.from({ length: 8 }, poster);
      while (answered.length < 150) await new Promise((r) => setTimeout(r, 5));
      first.child.kill('SIGKILL');
      await first.exited;
      dead = true;
      await Promise.all(posters);
      const acknowledged = [...answered];

      // Restarted, the server takes up what was queued; one more event, waited for, is normalized after
      // everything queued before it (the queue is claimed in arrival order).
      const second = await startServer(env);
      const last = await send(new URL('/api/v1/lineage', second.url), JSON.stringify(runStory().events[0]), {
        'content-type': 'application/json',
        prefer: 'wait=normalized',
      });
      expect(JSON.parse(last.body)).toMatchObject({ normalization: 'normalized' });
      second.child.kill('SIGTERM');
      await second.exited;

      const db: Db = opened ? openPostgres(opened.url!) : await openPglite(dir);
      try {
        const ids = acknowledged.map((a) => a.id);
        const stored = await rows<{ n: number }>(
          db.orm,
          sql`select count(*)::int as n from lineage_events where id = any(${`{${ids.join(',')}}`}::uuid[])`,
        );
        expect(stored[0]!.n).toBe(ids.length);
        expect(await rows(db.orm, sql`select event_id from pending_events`)).toEqual([]);
        expect(await rows(db.orm, sql`select event_id from normalization_failures`)).toEqual([]);
        const runs = await rows<{ n: number }>(
          db.orm,
          sql`select count(*)::int as n from runs where id = any(${`{${acknowledged.map((a) => a.runId).join(',')}}`}::uuid[])`,
        );
        expect(runs[0]!.n).toBe(acknowledged.length);
      } finally {
        await db.close();
      }
    } finally {
      await opened?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.each(databases)('a server stopped with SIGTERM on $name', (database) => {
  it('stops within 10 s, answering or refusing every request, with every event it answered 201 stored and normalized', async () => {
    const opened = database.name === 'postgres' ? await database.open() : undefined;
    const dir = await mkdtemp(join(tmpdir(), 'pedigree-term-'));
    const env: Record<string, string> = opened?.url ? { DATABASE_URL: opened.url } : { PEDIGREE_DATA_DIR: dir };
    // Clients that keep their connections open (as the OpenLineage clients' sessions do), and clients that do not.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const server = await startServer({ ...env, PEDIGREE_LOG_FORMAT: 'json' });
      const answered: string[] = [];
      const statuses: number[] = [];
      let stopped = false;
      const poster = (agent: http.Agent | false) => async () => {
        while (!stopped) {
          const res = await send(
            new URL('/api/v1/lineage', server.url),
            JSON.stringify(runStory().events[0]),
            { 'content-type': 'application/json' },
            agent,
          ).catch(() => undefined);
          if (!res) continue; // refused or reset: the server is going; the client would retry elsewhere
          statuses.push(res.status);
          if (res.status === 201) answered.push((JSON.parse(res.body) as { id: string }).id);
        }
      };
      const posters = [...Array.from({ length: 4 }, poster(false)), ...Array.from({ length: 4 }, poster(keepAlive))];
      while (answered.length < 100) await new Promise((r) => setTimeout(r, 5));
      const signalled = Date.now();
      server.child.kill('SIGTERM');
      const code = await server.exited;
      const took = Date.now() - signalled;
      stopped = true;
      await Promise.all(posters);
      expect(code).toBe(0);
      expect(took).toBeLessThan(10_000);
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      const log = server
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg?: string });
      expect(log.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['shutting down: no new connections, finishing the requests in flight', 'stopped']),
      );

      const db: Db = opened ? openPostgres(opened.url!) : await openPglite(dir);
      try {
        const stored = await rows<{ n: number }>(
          db.orm,
          sql`select count(*)::int as n from lineage_events where id = any(${`{${answered.join(',')}}`}::uuid[])`,
        );
        expect(stored[0]!.n).toBe(answered.length);
        // The backlog was small: drained before the process stopped.
        expect(await rows(db.orm, sql`select event_id from pending_events`)).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      keepAlive.destroy();
      await opened?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
