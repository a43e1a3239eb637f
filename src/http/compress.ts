import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import type { AppEnv } from './context';

const compressed = compress();

/**
 * The answers to reads compressed (gzip, else deflate) when the client accepts it, as Marquez's server
 * does: a lineage graph of 280 nodes is half a megabyte of JSON, a page of 100 jobs a few hundred KB, a
 * tenth of that once compressed. Reads only: writes answer a few hundred bytes, and OpenLineage's Python
 * client (requests) accepts gzip on every call, so each ingested event would pay for a compressor. What is
 * compressed already (the web UI's precompressed files), not compressible (artifacts) or a stream of events
 * is left as it is (hono/compress).
 */
export const compressReads: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.method !== 'GET') return next();
  // Said before the answer is made, so that it is made with it. hono/compress says it after, through
  // c.header(), which on a finished answer makes it again around its body as a stream: an answer sent
  // uncompressed (the client did not ask) then went out through web streams, not as the bytes it was (a
  // page of 100 jobs: 650 kB).
  c.header('Vary', 'Accept-Encoding');
  return compressed(c, next);
};
