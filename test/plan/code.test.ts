import { describe, expect, it } from 'vitest';
import { codeHash } from '../../src/ingest/plan/code';

const location = { type: 'git', url: 'https://github.com/acme/clf/blob/a1b2c3d/train.py', version: 'a1b2c3d' };

describe('codeHash', () => {
  it.each([
    ['absent', undefined],
    ['an array', [{ sql: { query: 'select 1' } }]],
    ['without code facets', { documentation: { description: 'x' }, ownership: { owners: [] } }],
    ['with code facets that are not objects', { sql: 'select 1', sourceCode: null, sourceCodeLocation: ['git'] }],
  ])('is null when the job facets are %s, so that nothing is erased', (_, facets) => {
    expect(codeHash(facets)).toBeNull();
  });

  it('is a SHA-256 of the code facets', () => {
    expect(codeHash({ sourceCodeLocation: location })).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['who produced them', { sourceCodeLocation: { ...location, _producer: 'https://x/1.0', _schemaURL: 'u' } }],
    ['the order of their fields', { sourceCodeLocation: { version: 'a1b2c3d', url: location.url, type: 'git' } }],
    ['facets that are not code', { sourceCodeLocation: location, documentation: { description: 'changed' }, jobType: { jobType: 'DAG' } }],
  ])('does not change with %s', (_, facets) => {
    expect(codeHash(facets)).toBe(codeHash({ sourceCodeLocation: location }));
  });

  it.each([
    ['a field of the code', { sourceCodeLocation: { ...location, version: 'e5f6' } }],
    ['another code facet', { sourceCodeLocation: location, sql: { query: 'select 1' } }],
    ['an empty code facet', { sourceCodeLocation: location, sourceCode: {} }],
  ])('changes with %s', (_, facets) => {
    expect(codeHash(facets)).not.toBe(codeHash({ sourceCodeLocation: location }));
  });

  it('tells the facets apart: the same fields under another key are other code', () => {
    expect(codeHash({ sql: { query: 'x' } })).not.toBe(codeHash({ sourceCode: { query: 'x' } }));
  });
});
