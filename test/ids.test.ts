import { describe, expect, it } from 'vitest';
import { idOf, ids, jobVersionOf } from '../src/ids';

// The ids are keys of stored rows: the same identity must give the same id release after release.
describe('deterministic ids', () => {
  it('are version-8 UUIDs of the SHA-256 of the identity', () => {
    expect(idOf('dataset', 'ns', 'orders')).toBe('370ab3a1-1387-85fa-af6a-fb723e42f54a');
    expect(ids.dataset('ns', 'orders')).toBe('370ab3a1-1387-85fa-af6a-fb723e42f54a');
  });

  it('job versions are the MD5 of the job, code and sorted IO (as the SQL formula)', () => {
    expect(jobVersionOf('j', 'c', ['out:b', 'in:a'])).toBe('1ad6139b-9d29-581a-001f-4b44a69f48a9');
  });

  it('each call gives a string of its own', () => {
    const a = idOf('x', '1');
    const b = idOf('x', '2');
    expect([a, b, idOf('x', '1')]).toEqual([a, b, a]);
    expect(a).not.toBe(b);
  });

  it('a facet value has one id, remembered or not', () => {
    const texts = ['{"a":1}', '{"fields":[]}', `{"big":"${'x'.repeat(300_000)}"}`];
    for (let round = 0; round < 2; round++)
      for (const text of texts) expect(ids.facetValue('schema', text)).toBe(idOf('facet_value', 'schema', text));
    // The same text under another name is another value.
    expect(ids.facetValue('other', texts[0]!)).toBe(idOf('facet_value', 'other', texts[0]!));
    expect(ids.facetValue('other', texts[0]!)).not.toBe(ids.facetValue('schema', texts[0]!));
  });

  it('facet values past the budget of remembered texts are still answered right', () => {
    const text = (i: number) => `{"i":${i},"pad":"${'y'.repeat(30_000)}"}`;
    // 60 texts of 30 KB: over the 1 MB budget, so the cache is emptied on the way; every answer stays right.
    for (let i = 0; i < 60; i++) expect(ids.facetValue('schema', text(i))).toBe(idOf('facet_value', 'schema', text(i)));
    for (let i = 0; i < 60; i++) expect(ids.facetValue('schema', text(i))).toBe(idOf('facet_value', 'schema', text(i)));
  });
});
