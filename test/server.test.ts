import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openPglite } from '../src/db/pglite';
import { ingestPipeline } from '../src/ingest/pipeline';
import { send as sendTo, spawnServer, startServer } from './support/server-process';

/** Sends a body in pieces, the way a client streams a large event, and reads the answer. */
function send(port: number, path: string, size: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const n = Math.min(piece.length, size - sent);
        sent += n;
        if (!req.write(piece.subarray(0, n))) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('over a real port', () => {
  it('answers 413 and 401 to a large body without the connection being reset', async () => {
    const db = await openPglite();
    const config = loadConfig({ PEDIGREE_MAX_EVENT_BYTES: String(1024 * 1024), PEDIGREE_API_KEYS: 'secret' });
    const app = createApp({ db, ...ingestPipeline(db), config });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    try {
      const tooLarge = await send(port, '/api/v1/lineage', 24 * 1024 * 1024, { authorization: 'Bearer secret' });
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.body)).toMatchObject({ status: 413 });
      const unauthorized = await send(port, '/api/v1/lineage', 8 * 1024 * 1024);
      expect(unauthorized.status).toBe(401);
    } finally {
      await new Promise((r) => server.close(r));
      await db.close();
    }
  });
});

describe('the service (src/node.ts)', () => {
  it('lets a burst of connections wait while its event loop is busy, instead of the kernel dropping them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pedigree-backlog-'));
    const server = await startServer({ PEDIGREE_DATA_DIR: dir });
    const { port } = server.url;
    // Node's default backlog (511) holds 512 connections; the kernel caps any backlog at somaxconn.
    const burst = Math.min(1500, Number(await readFile('/proc/sys/net/core/somaxconn', 'utf8').catch(() => '4096')));
    const sockets: Socket[] = [];
    try {
      // A stopped process accepts nothing: every connection has to wait in the listen queue.
      server.child.kill('SIGSTOP');
      let connected = 0;
      for (let i = 0; i < burst; i++) {
        const socket = connect({ port: Number(port), host: '127.0.0.1' });
        socket.on('error', () => {});
        socket.once('connect', () => connected++);
        sockets.push(socket);
      }
      // Queued connections complete at once; a dropped SYN is first sent again after a second.
      for (const started = Date.now(); connected < burst && Date.now() - started < 800; ) await new Promise((r) => setTimeout(r, 20));
      expect(connected).toBe(burst);
      server.child.kill('SIGCONT');
      // And each is served once the process runs again.
      const answer = await sendTo(new URL('/healthcheck', server.url), undefined);
      expect(answer.status).toBe(200);
    } finally {
      server.child.kill('SIGCONT');
      for (const socket of sockets) socket.destroy();
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a second service on the same port', () => {
  it('exits with status 1 and says the port is in use', async () => {
    const dirs = [await mkdtemp(join(tmpdir(), 'pedigree-port-')), await mkdtemp(join(tmpdir(), 'pedigree-port-'))];
    const first = await startServer({ PEDIGREE_DATA_DIR: dirs[0]! });
    try {
      const second = spawnServer({ PEDIGREE_DATA_DIR: dirs[1]!, PORT: first.url.port, PEDIGREE_LOG_FORMAT: 'json' });
      let output = '';
      second.stdout!.on('data', (c) => (output += c));
      second.stderr!.on('data', (c) => (output += c));
      const code = await new Promise<number | null>((r) => second.once('exit', r));
      expect(code).toBe(1);
      const line = output.split('\n').find((l) => l.includes('already in use'));
      expect(JSON.parse(line!)).toMatchObject({
        level: 'error',
        port: Number(first.url.port),
        msg: `port ${first.url.port} is already in use: set PORT to another`,
      });
      expect(output).not.toContain('Unhandled');
      // The first one still serves.
      expect((await sendTo(new URL('/healthcheck', first.url), undefined)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    }
  });
});
