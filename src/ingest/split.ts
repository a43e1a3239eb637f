import { concatBytes } from '../bytes';

/**
 * How a batch holds its events: a JSON array (or JSON values one after another), NDJSON (one event per
 * line), or an RFC 7464 JSON text sequence (each event after an RS byte).
 */
export type BatchFormat = 'json' | 'ndjson' | 'json-seq';

/** One event's bytes, or why there are none; `line` (1-based) is set for NDJSON. */
export type SplitItem = { index: number; line?: number } & ({ bytes: Uint8Array } | { tooLarge: number } | { malformed: string });

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  OPEN_OBJ = 0x7b,
  CLOSE_OBJ = 0x7d,
  OPEN_ARR = 0x5b,
  CLOSE_ARR = 0x5d,
  COMMA = 0x2c,
  LF = 0x0a,
  RS = 0x1e;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Splits a batch into its items, by its format. A UTF-8 byte order mark in front is not part of it. */
export function splitItems(chunks: AsyncIterable<Uint8Array>, format: BatchFormat, maxItemBytes: number): AsyncGenerator<SplitItem> {
  const body = withoutBom(chunks);
  if (format === 'json') return splitEvents(body, maxItemBytes);
  return splitRecords(body, maxItemBytes, format === 'ndjson' ? LF : RS);
}

/**
 * One item per record: NDJSON by lines, a JSON text sequence by RS bytes. Records are cut before they are
 * parsed, so a broken record is one rejected item and the next record is unaffected; blank records are
 * no items. A record over the limit is scanned to its end without being kept.
 */
export async function* splitRecords(chunks: AsyncIterable<Uint8Array>, maxItemBytes: number, separator = LF): AsyncGenerator<SplitItem> {
  let index = 0;
  let line = 1; // where the current record starts (NDJSON)
  let separators = 0;
  let parts: Uint8Array[] = [];
  let size = 0;
  let skipping = false;
  let blank = true; // only whitespace so far (tracked while skipping: kept records are trimmed instead)

  const add = (bytes: Uint8Array) => {
    if (bytes.byteLength === 0) return;
    size += bytes.byteLength;
    if (!skipping && size > maxItemBytes) {
      blank = trimmed(concatBytes(parts, size - bytes.byteLength)).byteLength === 0;
      skipping = true;
      parts = [];
    }
    if (skipping) {
      if (blank && trimmed(bytes).byteLength > 0) blank = false;
    } else parts.push(bytes.slice());
  };
  const finish = (): SplitItem | undefined => {
    const where = separator === LF ? { line } : {};
    let item: SplitItem | undefined;
    if (skipping) item = blank ? undefined : { index, ...where, tooLarge: size };
    else {
      const bytes = trimmed(concatBytes(parts, size));
      if (bytes.byteLength > 0) item = { index, ...where, bytes };
    }
    if (item) index++;
    parts = [];
    size = 0;
    skipping = false;
    blank = true;
    line = separators + 1;
    return item;
  };

  for await (const chunk of chunks) {
    let from = 0;
    for (let at = chunk.indexOf(separator); at >= 0; at = chunk.indexOf(separator, from)) {
      add(chunk.subarray(from, at));
      separators++;
      const item = finish();
      if (item) yield item;
      from = at + 1;
    }
    add(chunk.subarray(from));
  }
  const last = finish();
  if (last) yield last;
}

/** The bytes without the JSON whitespace around them. */
function trimmed(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.byteLength;
  while (start < end && isSpace(bytes[start]!)) start++;
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  return start === 0 && end === bytes.byteLength ? bytes : bytes.subarray(start, end);
}

const BOM = [0xef, 0xbb, 0xbf];

async function* withoutBom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0); // the first bytes, until there are enough to tell
  let told = false;
  for await (const chunk of chunks) {
    if (told) {
      yield chunk;
      continue;
    }
    head = concatBytes([head, chunk]);
    if (head.byteLength < BOM.length && BOM.slice(0, head.byteLength).every((b, i) => head[i] === b)) continue;
    told = true;
    yield BOM.every((b, i) => head[i] === b) ? head.subarray(BOM.length) : head;
  }
  if (!told && head.byteLength > 0) yield head;
}

/**
 * Splits a JSON array of events (`[{...}, {...}]`), or JSON values one after another, into one byte range
 * per event, without holding more than one event at a time. Structural characters are ASCII, so scanning
 * bytes is safe for UTF-8. Inside an array, a broken item can swallow the ones after it: where items are
 * independent lines, NDJSON (splitRecords) is the format that keeps them apart.
 */
export async function* splitEvents(chunks: AsyncIterable<Uint8Array>, maxItemBytes: number): AsyncGenerator<SplitItem> {
  let mode: 'start' | 'array' | 'values' = 'start';
  let index = 0;
  let depth = 0; // nesting inside the current item
  let inString = false;
  let escaped = false;
  let parts: Uint8Array[] = [];
  let size = 0;
  let skipping = false; // the current item is over the limit: scan to its end without keeping it
  let inItem = false;
  let arrayClosed = false;
  let scalar = false; // a top-level scalar (a number, true, ...): read to the next separator

  const finish = (): SplitItem => {
    const i = index++;
    const item: SplitItem = skipping ? { index: i, tooLarge: size } : { index: i, bytes: concatBytes(parts, size) };
    parts = [];
    size = 0;
    skipping = false;
    inItem = false;
    scalar = false;
    return item;
  };

  for await (const chunk of chunks) {
    let from = -1; // where the current item starts within this chunk
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!inItem) {
        if (isSpace(b)) continue;
        if (mode === 'start') {
          if (b === OPEN_ARR) {
            mode = 'array';
            continue;
          }
          mode = 'values';
        }
        if (mode === 'array') {
          if (arrayClosed) {
            yield { index: index++, malformed: 'data after the end of the JSON array' };
            return;
          }
          if (b === COMMA) continue;
          if (b === CLOSE_ARR) {
            arrayClosed = true;
            continue;
          }
        }
        inItem = true;
        from = i;
        depth = 0;
        inString = false;
        escaped = false;
        scalar = b !== OPEN_OBJ && b !== OPEN_ARR && b !== QUOTE;
      }
      if (from < 0) from = i;
      let ended = false;
      if (scalar) {
        if (isSpace(b) || b === COMMA || (mode === 'array' && b === CLOSE_ARR)) {
          // The separator is not part of the item.
          add(chunk.subarray(from, i));
          yield finish();
          from = -1;
          if (mode === 'array' && b === CLOSE_ARR) arrayClosed = true;
          continue;
        }
      } else if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (depth === 0) ended = true;
        }
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
      else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
        depth--;
        if (depth <= 0) ended = true;
      }
      if (ended) {
        add(chunk.subarray(from, i + 1));
        yield finish();
        from = -1;
      }
    }
    if (inItem && from >= 0) add(chunk.subarray(from));
  }
  if (inItem) {
    if (scalar) yield finish();
    else yield { index: index++, malformed: 'the body ends inside an event (truncated JSON)' };
  } else if (mode === 'array' && !arrayClosed) {
    yield { index: index++, malformed: 'the JSON array is not closed' };
  }

  function add(bytes: Uint8Array) {
    size += bytes.byteLength;
    if (size > maxItemBytes) {
      skipping = true;
      parts = [];
    }
    if (!skipping) parts.push(bytes.slice());
  }
}
