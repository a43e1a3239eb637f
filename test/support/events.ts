import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareEvent } from '../../src/ingest/ingest';
import type { EventRow } from '../../src/ingest/plan/event-row';

/** The shared corpus of real events (../shared/openlineage-events beside the repository). */
export const corpusDir = fileURLToPath(new URL('../../../shared/openlineage-events', import.meta.url));

export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.json')) out.push(relative(corpusDir, p));
    }
  };
  walk(corpusDir);
  return out.sort();
}

export const corpusText = (file: string) => readFileSync(join(corpusDir, file), 'utf8');

/**
 * POSTs an event (or a batch, with `path`) through the app. It asks `Prefer: wait=normalized` unless
 * `wait: false`: what the test reads next is then what the events made, as a client reading its own
 * writes would ask.
 */
export function post(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: unknown,
  init: { path?: string; headers?: Record<string, string>; wait?: boolean } = {},
) {
  return app.request(init.path ?? '/api/v1/lineage', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.wait !== false && { prefer: 'wait=normalized' }), ...init.headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });
}

/** Events as acceptance stores them (prepared, not yet normalized), for tests that write or queue them directly. */
export const asAccepted = (events: unknown[]): EventRow[] =>
  events.map((event) => {
    const prepared = prepareEvent(JSON.stringify(event), { strict: false });
    if (!prepared.ok) throw new Error(`not accepted: ${JSON.stringify(prepared.errors)}`);
    return prepared.event;
  });
