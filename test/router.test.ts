import type { Result } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { Db } from '../src/db/client';
import { PrefixRouter } from '../src/http/router';

/** The handlers a match returns, in order, and its parameters, whichever router's form the result has. */
function matched<T>(result: Result<T>) {
  const [found, stash] = result as [[T, Record<string, string | number>][], unknown[] | undefined];
  return found.map(([handler, params]) => ({
    handler,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, stash ? stash[v as number] : v])),
  }));
}

/** A path each route matches: its parameters and wildcards filled in. */
const samplePath = (route: string) =>
  route
    .replace(/:[^/{]+(\{[^}]*\})?/g, 'p-1')
    .replace(/\/\*$/, '/a/b')
    .replace(/\*/g, 'x');

describe('the router', () => {
  const PREFIX = '/api/2.0/mlflow/';

  it('matches a literal beside a parameter under the prefix, with the middleware of both sides, in order', () => {
    const r = new PrefixRouter<string>(PREFIX);
    r.add('ALL', '*', 'measure');
    r.add('ALL', '/api/*', 'authenticate');
    r.add('POST', '/api/2.0/mlflow/logged-models/search', 'search');
    r.add('POST', '/api/2.0/mlflow/logged-models/:model_id/params', 'params');
    r.add('POST', '/api/v1/lineage', 'lineage');
    r.add('GET', '/api/v1/namespaces/:namespace', 'namespace');
    r.add('ALL', '/metrics', 'metrics');
    const handlers = (method: string, path: string) => matched(r.match(method, path)).map((m) => m.handler);
    expect(handlers('POST', '/api/2.0/mlflow/logged-models/search')).toEqual(['measure', 'authenticate', 'search']);
    expect(matched(r.match('POST', '/api/2.0/mlflow/logged-models/m-1/params'))).toEqual([
      { handler: 'measure', params: {} },
      { handler: 'authenticate', params: {} },
      { handler: 'params', params: { model_id: 'm-1' } },
    ]);
    expect(handlers('POST', '/api/v1/lineage')).toEqual(['measure', 'authenticate', 'lineage']);
    expect(matched(r.match('GET', '/api/v1/namespaces/food')).at(-1)).toEqual({ handler: 'namespace', params: { namespace: 'food' } });
    expect(handlers('GET', '/metrics')).toEqual(['measure', 'metrics']);
    expect(handlers('GET', '/api/2.0/mlflow-artifacts/x')).toEqual(['measure', 'authenticate']);
    // Outside the prefix, one regular expression matches (the tree, only if a route were refused by it).
    expect(r.outsideRouter).toBe('SmartRouter + RegExpRouter');
  });

  it("answers every route of the app as one tree of all the app's routes would, outside the prefix by regular expression", async () => {
    const app = createApp({ db: {} as Db } as Parameters<typeof createApp>[0]);
    // Hono gives its router each handler with its route.
    const tree = new TrieRouter<unknown>();
    for (const r of app.routes) tree.add(r.method, r.path, [r.handler, r]);
    const paths = new Set(app.routes.map((r) => `${r.method === 'ALL' ? 'GET' : r.method} ${samplePath(r.path)}`));
    expect(paths.size).toBeGreaterThan(100);
    for (const line of paths) {
      const [method, path] = line.split(' ') as [string, string];
      const expected = matched(tree.match(method, path));
      expect(expected.length, line).toBeGreaterThan(0);
      expect(matched(app.router.match(method, path)), line).toEqual(expected);
    }
    // A route that RegExpRouter refuses, added outside MLflow's API, would put every path back on the tree.
    expect((app.router as PrefixRouter<unknown>).outsideRouter).toBe('SmartRouter + RegExpRouter');
  });
});
