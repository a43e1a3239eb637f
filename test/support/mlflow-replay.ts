import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Replays what the real MLflow Python client sent (test/fixtures/mlflow/*.jsonl, recorded by
 * scripts/mlflow-record.ts; see the README there) against an app, in order, and compares each answer
 * with the recorded one: the status, MLflow's error code, and the shape (the same members, list lengths
 * and value types; the same values, except what changes every time: ids, times, generated names, tokens).
 *
 * Ids are threaded: an id the recorded answer held (a run id, a model id, an experiment id, a page token)
 * is mapped to the one the live answer holds at the same place, and later requests carry the live one.
 */

// biome-ignore lint/suspicious/noExplicitAny: recorded JSON is walked freely.
export type Json = any;

export interface Exchange {
  seq: number;
  flow: string;
  step: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  requestBody: Json;
  status: number;
  responseBody: Json;
  answeredBy: 'pedigree' | 'stub';
}

export function readRecording(flow: string): Exchange[] {
  const file = join(import.meta.dirname, '..', 'fixtures', 'mlflow', `${flow}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Exchange);
}

/** Members whose values are made by the server each time: mapped (ids, tokens) or only typed (times, names). */
const THREADED = new Set(['run_id', 'run_uuid', 'model_id', 'experiment_id', 'source_run_id', 'next_page_token']);
const VOLATILE = /(^|_)(time|timestamp|timestamp_ms)$|^creation_time$|^run_name$/;
/** Ids the server makes that may appear inside any text (artifact URIs, messages, sources). */
const EMBEDDED_ID = /\bm-[0-9a-f]{32}\b|\b[0-9a-f]{32}\b/g;

export class IdThread {
  readonly ids = new Map<string, string>();

  /** The request as the live server must receive it: recorded ids replaced by live ones. */
  request(x: Exchange): { path: string; query: Record<string, string | string[]>; body: Json } {
    return {
      path: this.text(x.path),
      query: Object.fromEntries(
        Object.entries(x.query ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map((s) => this.value(k, s)) : this.value(k, v)]),
      ),
      body: this.deep(x.requestBody, ''),
    };
  }

  private value(key: string, v: string): string {
    if ((THREADED.has(key) || key === 'page_token' || key === 'experiment_ids') && this.ids.has(v)) return this.ids.get(v)!;
    return this.text(v);
  }

  private text(s: string): string {
    return s.replace(EMBEDDED_ID, (id) => this.ids.get(id) ?? id);
  }

  private deep(v: Json, key: string): Json {
    if (typeof v === 'string') return this.value(key, v);
    if (Array.isArray(v)) return v.map((x) => this.deep(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.deep(x, k)]));
    return v;
  }

  /** Learns the live ids at the places the recorded answer held ids. */
  learn(recorded: Json, live: Json, key = ''): void {
    if (typeof recorded === 'string' && typeof live === 'string') {
      if (THREADED.has(key) && recorded !== live) this.ids.set(recorded, live);
      // An id inside a text (an artifact URI names the run) is learned where both texts name one.
      const a = recorded.match(EMBEDDED_ID) ?? [];
      const b = live.match(EMBEDDED_ID) ?? [];
      if (a.length === b.length) for (const [i, id] of a.entries()) if (!this.ids.has(id) && id !== b[i]) this.ids.set(id, b[i]!);
      return;
    }
    if (Array.isArray(recorded) && Array.isArray(live)) {
      for (const [i, r] of recorded.entries()) this.learn(r, live[i], key);
      return;
    }
    if (recorded && live && typeof recorded === 'object' && typeof live === 'object')
      for (const k of Object.keys(recorded)) this.learn(recorded[k], live[k], k);
  }

  /**
   * Where the live answer differs from the recorded one, once ids are mapped: a member missing or added, a
   * list of another length, a value of another type, or another value where values are stable.
   */
  differences(recorded: Json, live: Json, at = '', key = ''): string[] {
    if (recorded === null || typeof recorded !== 'object') {
      if (typeof recorded !== typeof live) return [`${at || '/'}: ${JSON.stringify(live)} instead of ${JSON.stringify(recorded)}`];
      if (VOLATILE.test(key) || key === 'next_page_token') return [];
      const expected = typeof recorded === 'string' ? this.text(recorded) : recorded;
      if (typeof recorded === 'string' && THREADED.has(key) && this.ids.get(recorded) === live) return [];
      return expected === live ? [] : [`${at}: ${JSON.stringify(live)} instead of ${JSON.stringify(expected)}`];
    }
    if (Array.isArray(recorded)) {
      if (!Array.isArray(live)) return [`${at}: not a list`];
      if (live.length !== recorded.length) return [`${at}: ${live.length} items instead of ${recorded.length}`];
      return recorded.flatMap((r, i) => this.differences(r, live[i], `${at}/${i}`, key));
    }
    if (!live || typeof live !== 'object' || Array.isArray(live)) return [`${at}: not an object`];
    const keys = new Set([...Object.keys(recorded), ...Object.keys(live)]);
    // The run-name tag holds the name the server made up.
    if (recorded.key === 'mlflow.runName') keys.delete('value');
    return [...keys].flatMap((k) => {
      if (!(k in live)) return [`${at}/${k}: missing`];
      if (!(k in recorded)) return [`${at}/${k}: not in the recording`];
      return this.differences(recorded[k], live[k], `${at}/${k}`, k);
    });
  }
}
