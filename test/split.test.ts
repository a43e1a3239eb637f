import { describe, expect, it } from 'vitest';
import { type SplitItem, splitEvents } from '../src/ingest/split';

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
