import { Hono } from 'hono';
import type { Deviation } from '../../core/errors';
import { type Prepared, prepareEvent } from '../../ingest/ingest';
import { decodeUtf8 } from '../../ingest/json';
import type { EventPlan } from '../../ingest/plan';
import { splitEvents } from '../../ingest/split';
import { bodyChunks, isJsonContentType, readBody } from '../body';
import type { AppEnv } from '../context';
import { badRequest, Problem } from '../problem';

export const lineageRoutes = new Hono<AppEnv>();

function requireJson(contentType: string | undefined) {
  if (!isJsonContentType(contentType)) {
    throw new Problem(415, 'Unsupported Media Type', `expected application/json, got "${contentType}"`);
  }
}

const strictFor = (configured: boolean, query: string | undefined) => configured || query === 'true' || query === '1';

function prepareBytes(bytes: Uint8Array, strict: boolean): Prepared {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, errors: [{ pointer: '', message: 'the body is not valid UTF-8' }] };
  return prepareEvent(text, { strict });
}

/** One event (RunEvent, DatasetEvent or JobEvent): 201 once committed, with its id and any warnings. */
lineageRoutes.post('/lineage', async (c) => {
  const { config, writer } = c.get('deps');
  requireJson(c.req.header('content-type'));
  const bytes = await readBody(c.req.raw, { maxBytes: config.maxEventBytes });
  const prepared = prepareBytes(bytes, strictFor(config.strict, c.req.query('strict')));
  if (!prepared.ok) throw badRequest('the event cannot be accepted', prepared.errors);
  await writer.write([prepared.plan]);
  return c.json({ id: prepared.id, warnings: prepared.warnings }, 201);
});

type ItemResult =
  | { index: number; status: 201; id: string; warnings?: Deviation[] }
  | { index: number; status: 400 | 413; errors: Deviation[] };

const CHUNK_EVENTS = 500;
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Many events: a JSON array or NDJSON, streamed. Each item is accepted or rejected on its own; accepted
 * items are committed in chunks (one transaction each) as the body is read, so memory stays bounded by a
 * chunk whatever the body's size. 200 with per-item results; the body as a whole only fails if it cannot
 * be read (413 over PEDIGREE_MAX_BATCH_BYTES, 415).
 */
lineageRoutes.post('/lineage/batch', async (c) => {
  const { config, writer } = c.get('deps');
  requireJson(c.req.header('content-type'));
  const strict = strictFor(config.strict, c.req.query('strict'));
  const results: ItemResult[] = [];
  let chunk: { index: number; plan: EventPlan; warnings: Deviation[] }[] = [];
  let chunkBytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await writer.write(chunk.map((x) => x.plan));
    for (const x of chunk)
      results.push({ index: x.index, status: 201, id: x.plan.event.id!, ...(x.warnings.length ? { warnings: x.warnings } : {}) });
    chunk = [];
    chunkBytes = 0;
  };
  for await (const item of splitEvents(bodyChunks(c.req.raw, { maxBytes: config.maxBatchBytes }), config.maxEventBytes)) {
    if ('tooLarge' in item) {
      results.push({
        index: item.index,
        status: 413,
        errors: [{ pointer: '', message: `event larger than ${config.maxEventBytes} bytes` }],
      });
      continue;
    }
    if ('malformed' in item) {
      results.push({ index: item.index, status: 400, errors: [{ pointer: '', message: item.malformed }] });
      continue;
    }
    const prepared = prepareBytes(item.bytes, strict);
    if (!prepared.ok) {
      results.push({ index: item.index, status: 400, errors: prepared.errors });
      continue;
    }
    chunk.push({ index: item.index, plan: prepared.plan, warnings: prepared.warnings });
    chunkBytes += item.bytes.byteLength;
    if (chunk.length >= CHUNK_EVENTS || chunkBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  results.sort((a, b) => a.index - b.index);
  const accepted = results.filter((r) => r.status === 201).length;
  return c.json({ received: results.length, accepted, rejected: results.length - accepted, results }, 200);
});
