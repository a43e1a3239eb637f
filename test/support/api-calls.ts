import { expect } from 'vitest';
import type { App } from '../../src/app';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely by the tests.
type Json = Record<string, any>;

/**
 * Calls through the real app as `actor` (authentication off: X-Pedigree-Actor names the actor), expecting
 * a 2xx; the answer's JSON. `mlflow` is the same under the MLflow prefix.
 */
export function apiCalls(app: () => App) {
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
