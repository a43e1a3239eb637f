import { concatBytes } from '../bytes';
import { Problem } from './problem';

export interface BodyLimits {
  /** Most bytes accepted after decompression. */
  maxBytes: number;
  /**
   * A refused body is still read to its end (and thrown away) up to this many bytes, so that the client
   * receives our 413 instead of a connection reset (which it would retry forever).
   */
  drainBytes?: number;
}

const tooLarge = (max: number) => new Problem(413, 'Content Too Large', `the request body exceeds ${max} bytes (PEDIGREE_MAX_EVENT_BYTES)`);

/** Whether the Content-Type names JSON (or NDJSON); an absent one is read as JSON, as clients assume. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return (
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-ndjson' ||
    type === 'application/ndjson' ||
    type === 'application/jsonl' ||
    type === 'application/json-seq' ||
    type === 'text/json'
  );
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
    throw new Problem(415, 'Unsupported Media Type', `unsupported Content-Encoding "${encoding}" (gzip and deflate are)`);
  }
  if (!request.body) return;
  const source = request.body.getReader();
  let total = 0;
  if (encoding === 'identity') {
    for (;;) {
      const { done, value } = await source.read();
      if (done) return;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await drainReader(source, limits.drainBytes);
        throw tooLarge(limits.maxBytes);
      }
      yield value;
    }
  }

  const inflate = new DecompressionStream(encoding === 'deflate' ? 'deflate' : 'gzip');
  const writer = inflate.writable.getWriter();
  const output = inflate.readable.getReader();
  let sourceError: unknown;
  // Feed the decompressor from the request in the background; stop feeding (but keep reading) if refused.
  let refused = false;
  const feeding = (async () => {
    try {
      for (;;) {
        const { done, value } = await source.read();
        if (done) break;
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
        throw new Problem(400, 'Bad Request', `the request body is not valid ${encoding} data`);
      }
      if (chunk.done) break;
      total += chunk.value.byteLength;
      if (total > limits.maxBytes) {
        refused = true;
        await output.cancel().catch(() => {});
        await feeding;
        throw tooLarge(limits.maxBytes);
      }
      yield chunk.value;
    }
    await feeding;
  } finally {
    refused = true;
  }
}

/** Reads the whole body (within limits) into one buffer. */
export async function readBody(request: Request, limits: BodyLimits): Promise<Uint8Array> {
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
