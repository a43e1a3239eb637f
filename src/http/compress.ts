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
export const compressReads: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === 'GET' ? compressed(c, next) : next());
