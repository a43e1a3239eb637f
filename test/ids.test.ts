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
});
