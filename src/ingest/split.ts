import { concatBytes } from '../bytes';

/**
 * Splits a stream of bytes holding many events into one byte range per event, without holding more than
 * one event at a time: a JSON array of events (`[{...}, {...}]`), NDJSON (one event per line), or
 * concatenated JSON values. Structural characters are ASCII, so scanning bytes is safe for UTF-8.
 */
export type SplitItem = { index: number; bytes: Uint8Array } | { index: number; tooLarge: number } | { index: number; malformed: string };

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  OPEN_OBJ = 0x7b,
  CLOSE_OBJ = 0x7d,
  OPEN_ARR = 0x5b,
  CLOSE_ARR = 0x5d,
  COMMA = 0x2c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

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
