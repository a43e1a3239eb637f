import { expect } from 'vitest';
import type { TestApp } from './databases';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely by the tests.
type Json = Record<string, any>;

/**
 * Calls through the real app as `actor` (authentication off: X-Pedigree-Actor names the actor), expecting
 * a 2xx; the answer's JSON. `mlflow` is the same under the MLflow prefix.
 */
export function apiCalls(app: () => TestApp) {
  async function call(method: string, path: string, body?: unknown, actor = 'alice'): Promise<Json> {
    const res = await app().request(path, {
      method,
      // Events posted are read next: their answer waits until they are normalized (other routes ignore it).
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor, prefer: 'wait=normalized' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(300);
    return (text ? JSON.parse(text) : {}) as Json;
  }
  const mlflow = (method: string, path: string, body?: unknown) => call(method, `/api/2.0/mlflow/${path}`, body);
  return { call, mlflow };
}

/**
 * A call to MLflow's API as its clients make it (GET parameters in the query string, lists repeated, other
 * methods a JSON body), whatever the answer: its status and JSON.
 */
export async function mlflowRequest(app: TestApp, method: string, path: string, args?: Json, actor = 'alice') {
  const url = new URL(`http://x/api/2.0/mlflow/${path}`);
  if (method === 'GET' && args)
    for (const [k, v] of Object.entries(args)) for (const x of [v].flat()) url.searchParams.append(k, String(x));
  const res = await app.request(url.pathname + url.search, {
    method,
    headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor },
    ...(method !== 'GET' && args ? { body: JSON.stringify(args) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}
