import { concatBytes } from '../bytes';
import type { BatchFormat } from '../ingest/split';
import { Refusal } from './problem';

export interface BodyLimits {
  /** Most bytes accepted after decompression. */
  maxBytes: number;
  /** The setting behind `maxBytes`, named in the 413 so that an operator knows what to raise. */
  setting?: string;
  /**
   * Most bytes a compressed body may inflate to per byte received, enforced once it has inflated past
   * `inflationFloor`: a small body may expand a lot (one event of repeated text), but a few megabytes
   * must not keep the server inflating gigabytes (a gzip bomb) until `maxBytes` is reached.
   */
  maxInflationRatio?: number;
  inflationFloor?: number;
  /**
   * A refused body is still read to its end (and thrown away) up to this many bytes, so that the client
   * receives our 413 instead of a connection reset (which it would retry forever).
   */
  drainBytes?: number;
}

const tooLarge = (limits: BodyLimits) =>
  new Refusal(
    'too_large',
    413,
    'Content Too Large',
    `the request body exceeds ${limits.maxBytes} bytes (${limits.setting ?? 'PEDIGREE_MAX_EVENT_BYTES'})`,
  );

const inflatesTooMuch = (ratio: number) =>
  new Refusal(
    'inflation',
    413,
    'Content Too Large',
    `the request body inflates to more than ${ratio} times its compressed size (PEDIGREE_MAX_INFLATION_RATIO); send it uncompressed or in smaller batches`,
  );

const mediaType = (header: string) => header.split(';')[0]!.trim().toLowerCase();

/** Whether the Content-Type names JSON (or NDJSON); an absent one is read as JSON, as clients assume. */
export function isJsonContentType(header: string | undefined): boolean {
  return !header || batchFormat(header) !== undefined;
}

/**
 * How a batch body holds its events, by its Content-Type: NDJSON under any of the names clients send it
 * with (Fluentd, Fluent Bit and Vector send application/x-ndjson; JSON Lines tools application/jsonl and
 * the like), an RFC 7464 sequence, or else JSON. Undefined when it is not JSON at all.
 */
export function batchFormat(header: string | undefined): BatchFormat | undefined {
  if (!header) return 'json';
  const type = mediaType(header);
  if (/^(?:application|text)\/(?:x-)?(?:ndjson|jsonl|jsonlines|json-lines)$/.test(type)) return 'ndjson';
  if (type === 'application/json-seq') return 'json-seq';
  if (type === 'application/json' || type.endsWith('+json') || type === 'text/json') return 'json';
  return undefined;
}

/**
 * Streams the request body as raw chunks, decompressed when `Content-Encoding` says gzip/deflate, refusing
 * (413) past `maxBytes` of decompressed data. Chunks are yielded as they come, so a consumer that parses
 * as it goes (NDJSON) never holds the whole body.
 */
export async function* bodyChunks(request: Request, limits: BodyLimits): AsyncGenerator<Uint8Array> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    await drain(request.body, limits.drainBytes);
    throw new Refusal(
      'unsupported_media',
      415,
      'Unsupported Media Type',
      `unsupported Content-Encoding "${encoding}" (gzip and deflate are)`,
    );
  }
  if (!request.body) return;
  const source = request.body.getReader();
  let total = 0;
  if (encoding === 'identity') {
    let ended = false;
    try {
      for (;;) {
        const { done, value } = await source.read();
        if (done) {
          ended = true;
          return;
        }
        total += value.byteLength;
        if (total > limits.maxBytes) throw tooLarge(limits);
        yield value;
      }
    } finally {
      // Refused, or the consumer stopped early (its database went away): what is left is read and dropped,
      // so that the answer reaches the client rather than a connection reset.
      if (!ended) await drainReader(source, limits.drainBytes);
    }
  }

  const inflate = new DecompressionStream(encoding === 'deflate' ? 'deflate' : 'gzip');
  const writer = inflate.writable.getWriter();
  const output = inflate.readable.getReader();
  let sourceError: unknown;
  // Feed the decompressor from the request in the background; stop feeding (but keep reading) if refused.
  let refused = false;
  let compressed = 0;
  const feeding = (async () => {
    try {
      for (;;) {
        const { done, value } = await source.read();
        if (done) break;
        compressed += value.byteLength;
        if (!refused)
          await writer.write(value).catch(() => {
            refused = true;
          });
      }
      if (!refused) await writer.close().catch(() => {});
    } catch (e) {
      sourceError = e;
      await writer.abort(e).catch(() => {});
    }
  })();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await output.read();
      } catch {
        refused = true;
        await feeding;
        if (sourceError) throw sourceError;
        throw new Refusal('decompression', 400, 'Bad Request', `the request body is not valid ${encoding} data`);
      }
      if (chunk.done) break;
      total += chunk.value.byteLength;
      const ratio = limits.maxInflationRatio;
      // `compressed` counts what was fed to the decompressor, a little ahead of what it has consumed: the
      // ratio measured errs on the side of the client.
      const bomb = ratio !== undefined && total > (limits.inflationFloor ?? 0) && total > ratio * compressed;
      if (total > limits.maxBytes || bomb) throw bomb ? inflatesTooMuch(ratio) : tooLarge(limits);
      yield chunk.value;
    }
  } finally {
    // Done, refused, or the consumer stopped early: what is left of the body is read and dropped (not
    // inflated), so that the answer reaches the client rather than a connection reset.
    refused = true;
    await output.cancel().catch(() => {});
    await feeding;
  }
}

/**
 * Reads the whole body (within limits) into one buffer. An uncompressed body whose Content-Length is within
 * the limit is read at once (the HTTP server holds a body to its Content-Length): on Node this reads the
 * socket's data directly, where streaming it first builds a web Request around it, which costs more than
 * the rest of accepting a small event.
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' && declared !== null && /^\d{1,15}$/.test(declared.trim()) && Number(declared) <= limits.maxBytes) {
    return new Uint8Array(await request.arrayBuffer());
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(request, limits)) {
    parts.push(chunk);
    size += chunk.byteLength;
  }
  return concatBytes(parts, size);
}

/** Reads and throws away what is left of a request body (bounded), so an early answer reaches the client. */
export async function discardBody(request: Request, limit?: number): Promise<void> {
  if (request.body && !request.bodyUsed) await drain(request.body, limit);
}

async function drain(body: ReadableStream<Uint8Array> | null, limit?: number): Promise<void> {
  if (body && !body.locked) await drainReader(body.getReader(), limit);
}

async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, limit = 1024 ** 3): Promise<void> {
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to drain.
  }
}
