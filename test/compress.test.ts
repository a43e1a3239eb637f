import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runStory } from './support/run-events';
import { startServer } from './support/server-process';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as sent. */
  bytes: Buffer;
}

function call(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the Node service over a real port', () => {
  it('compresses the answers to reads for a client that accepts it, and no answer to a write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pedigree-compress-'));
    const server = await startServer({ PEDIGREE_DATA_DIR: dir });
    try {
      const json = { 'content-type': 'application/json' };
      for (const event of runStory().events) {
        // OpenLineage's Python client (requests) asks for gzip on every call: a write's answer stays plain.
        const posted = await call(
          new URL('/api/v1/lineage?wait=normalized', server.url),
          'POST',
          { ...json, 'accept-encoding': 'gzip, deflate' },
          JSON.stringify(event),
        );
        expect(posted.status).toBe(201);
        expect(posted.headers['content-encoding']).toBeUndefined();
        expect(JSON.parse(posted.bytes.toString())).toHaveProperty('id');
      }
      const read = new URL('/api/v1/lineage?nodeId=job:spark://cluster:etl.orders_daily&depth=2', server.url);

      const plain = await call(read, 'GET', {});
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      // Sent whole, its length said, and varying on what the client accepts.
      expect(plain.headers['content-length']).toBe(String(plain.bytes.length));
      expect(plain.headers['transfer-encoding']).toBeUndefined();
      expect(plain.headers.vary).toMatch(/accept-encoding/i);
      const graph = JSON.parse(plain.bytes.toString()) as { graph: unknown[] };
      expect(graph.graph).toHaveLength(3);

      const gzipped = await call(read, 'GET', { 'accept-encoding': 'gzip, deflate, br' });
      expect(gzipped.status).toBe(200);
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
      expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length);
      expect(gunzipSync(gzipped.bytes).toString()).toBe(plain.bytes.toString());

      const deflated = await call(read, 'GET', { 'accept-encoding': 'deflate' });
      expect(deflated.headers['content-encoding']).toBe('deflate');
      expect(inflateSync(deflated.bytes).toString()).toBe(plain.bytes.toString());

      // A problem is compressed as any answer to a read.
      const missing = await call(new URL('/api/v1/namespaces/nowhere/jobs/nothing', server.url), 'GET', { 'accept-encoding': 'gzip' });
      expect(missing.status).toBe(404);
      expect(JSON.parse(gunzipSync(missing.bytes).toString())).toMatchObject({ status: 404 });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
