import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseJson } from '../src/ingest/json';

const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('JSON depth', () => {
  it(`accepts ${MAX_DEPTH} levels and refuses one more, naming where`, () => {
    expect(parseJson(nested(MAX_DEPTH)).ok).toBe(true);
    const refused = parseJson(nested(MAX_DEPTH + 1));
    expect(refused).toMatchObject({ ok: false, error: { message: `JSON nested deeper than ${MAX_DEPTH} levels` } });
    if (refused.ok) return;
    expect(refused.error.pointer).toBe(`/a${'/0'.repeat(MAX_DEPTH - 1)}`);
  });

  it('accepts many shallow containers, and brackets inside strings, past the limit', () => {
    const wide = JSON.stringify({ list: Array.from({ length: 2 * MAX_DEPTH }, (_, i) => ({ i, s: '{['.repeat(MAX_DEPTH) })) });
    expect(parseJson(wide).ok).toBe(true);
  });

  it('finds a deep value among many shallow ones', () => {
    const text = `{"wide":${JSON.stringify(Array.from({ length: MAX_DEPTH }, () => ({})))},"deep":${nested(MAX_DEPTH)}}`;
    expect(parseJson(text)).toMatchObject({ ok: false, error: { pointer: `/deep/a${'/0'.repeat(MAX_DEPTH - 2)}` } });
  });
});
