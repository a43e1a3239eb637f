import { describe, expect, it } from 'vitest';
import { type BatchFormat, type SplitItem, splitEvents, splitItems } from '../src/ingest/split';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function split(text: string, chunkSize: number, max = 1024): Promise<(string | SplitItem)[]> {
  const bytes = enc.encode(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: (string | SplitItem)[] = [];
  for await (const item of splitEvents(chunks(), max)) out.push('bytes' in item ? dec.decode(item.bytes) : item);
  return out;
}

async function* once(bytes: Uint8Array) {
  yield bytes;
}

/** Items of a batch in `format`, fed `chunkSize` bytes at a time: the text of each, or what it is instead. */
async function items(format: BatchFormat, text: string, chunkSize: number, max = 1024): Promise<(string | SplitItem)[]> {
  const bytes = enc.encode(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: (string | SplitItem)[] = [];
  for await (const item of splitItems(chunks(), format, max))
    out.push('bytes' in item ? `${item.line ?? ''}:${dec.decode(item.bytes)}` : item);
  return out;
}

describe('splitting a stream of events', () => {
  it.each([1, 3, 7, 4096])('splits a JSON array and NDJSON the same way, in chunks of %i bytes', async (size) => {
    const events = [{ a: '}{", ]' }, { b: [1, { c: 'é\\"' }] }, { d: 'ünïcödé 🎉' }];
    const texts = events.map((e) => JSON.stringify(e));
    expect(await split(`[${texts.join(',\n ')}]`, size)).toEqual(texts);
    expect(await split(`${texts.join('\n')}\n`, size)).toEqual(texts);
    expect(await split(texts.join(''), size)).toEqual(texts);
  });

  it('keeps scalars and strings as items (rejected later as not events)', async () => {
    expect(await split('[1, "x", {"a":1}, true]', 2)).toEqual(['1', '"x"', '{"a":1}', 'true']);
  });

  it('reports an item over the limit without holding it, and goes on', async () => {
    const out = await split(`{"a":"${'x'.repeat(5000)}"}\n{"b":1}`, 100, 1000);
    expect(out[0]).toEqual({ index: 0, tooLarge: expect.any(Number) });
    expect(out[1]).toBe('{"b":1}');
  });

  it('reports truncation and an unclosed array', async () => {
    expect(await split('{"a":1}\n{"b":', 4)).toEqual(['{"a":1}', { index: 1, malformed: expect.stringContaining('truncated') }]);
    expect(await split('[{"a":1}', 4)).toEqual(['{"a":1}', { index: 1, malformed: expect.stringContaining('not closed') }]);
  });
});

describe('splitting NDJSON and JSON text sequences by records', () => {
  it.each([1, 2, 5, 4096])('keeps a broken line to itself: the lines after it are items (chunks of %i bytes)', async (size) => {
    expect(await items('ndjson', '{"a":1}\n{broken\n{"b":2}\n', size)).toEqual(['1:{"a":1}', '2:{broken', '3:{"b":2}']);
    // The same text as JSON values swallows the third event into the broken one: why NDJSON is split by lines.
    expect(await split('{"a":1}\n{broken\n{"b":2}\n', size)).toHaveLength(2);
  });

  it('numbers items and lines apart: blank lines are no items, CRLF and surrounding spaces are not part of one', async () => {
    const out = await items('ndjson', '\n  {"a":1}  \r\n\r\n \t\n{"b":2}', 3);
    expect(out).toEqual(['2:{"a":1}', '5:{"b":2}']);
    const all = await (async () => {
      const list: SplitItem[] = [];
      for await (const item of splitItems(once(enc.encode('\n{"a":1}\n\n{"b":2}\n')), 'ndjson', 100)) list.push(item);
      return list;
    })();
    expect(all.map((i) => [i.index, i.line])).toEqual([
      [0, 2],
      [1, 4],
    ]);
  });

  it('reports a line over the limit as one item, without holding it, and goes on', async () => {
    const out = await items('ndjson', `{"a":"${'x'.repeat(5000)}"}\n${' '.repeat(3000)}\n{"b":1}\n`, 100, 1000);
    expect(out).toEqual([{ index: 0, line: 1, tooLarge: 5008 }, '3:{"b":1}']);
  });

  it('splits an RFC 7464 sequence by its RS bytes, a record holding newlines', async () => {
    const seq = '\x1e{"a":\n1}\n\x1e{broken\n\x1e{"b":2}\n';
    expect(await items('json-seq', seq, 4)).toEqual([':{"a":\n1}', ':{broken', ':{"b":2}']);
  });

  it.each(['json', 'ndjson'] as const)('skips a UTF-8 byte order mark in front (%s)', async (format) => {
    const out = await items(format, '\ufeff[{"a":1}]', 1);
    expect(out.at(-1)).toBe(format === 'json' ? ':{"a":1}' : '1:[{"a":1}]');
  });
});
