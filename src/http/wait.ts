import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Settlement } from '../ingest/normalizer';
import type { AppEnv } from './context';
import { oneOf } from './schemas/params';

/**
 * Read-your-writes on request (src/ingest/normalizer.ts): `Prefer: wait=normalized` (RFC 7240's header,
 * with a value of our own) or `?wait=normalized` makes an ingest request answer once its events are
 * normalized or set aside, or PEDIGREE_NORMALIZE_WAIT_SECONDS passed, and say which.
 */

export const waitQuery = oneOf(
  'Pedigree extension: `normalized` answers once the events are normalized (or set aside), as `Prefer: wait=normalized` does',
  ['normalized'],
);

export const preferHeader = z
  .string()
  .optional()
  .openapi({ description: 'RFC 7240 preferences; `wait=normalized` answers once the events are normalized (or set aside)' });

/** Whether the request asks to wait for normalization, by its query or its Prefer header. */
export function wantsNormalized(c: Context<AppEnv>, query: string | undefined): boolean {
  return query === 'normalized' || preferences(c.req.header('prefer')).get('wait') === 'normalized';
}

/** RFC 7240 preferences (`a=b, c="d"; p=q`): each name, lower-cased, with its value (parameters ignored). */
function preferences(header: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const item of (header ?? '').split(',')) {
    const [pref] = item.split(';');
    const [name, value = ''] = pref!.split('=').map((s) => s.trim());
    if (name) found.set(name.toLowerCase(), value.replace(/^"(.*)"$/, '$1').toLowerCase());
  }
  return found;
}

/** Tells the client its preference was applied (RFC 7240). */
export function applied(c: Context<AppEnv>): void {
  c.header('Preference-Applied', 'wait=normalized');
}

/** Ids a batch waits on at once. */
const SLICE = 1000;

/**
 * Waits for `ids`, a slice at a time (a batch may hold millions), within the configured time. `queuedNow`:
 * the ids the request's own commit queued (see Normalizer.settled).
 */
export async function settledAll(
  c: Context<AppEnv>,
  ids: readonly string[],
  queuedNow: ReadonlySet<string> = new Set(),
): Promise<Map<string, Settlement>> {
  const { normalizer, config } = c.get('deps');
  const deadline = Date.now() + config.normalize.waitSeconds * 1000;
  const all = new Map<string, Settlement>();
  for (let i = 0; i < ids.length; i += SLICE) {
    const slice = ids.slice(i, i + SLICE);
    for (const [id, s] of await normalizer.settled(slice, Math.max(0, deadline - Date.now()), queuedNow)) all.set(id, s);
  }
  return all;
}

export const NormalizationState = z.enum(['normalized', 'failed', 'pending']).openapi('NormalizationState', {
  description:
    'normalized; failed: set aside with its error (GET /api/v1/events/failed; `pedigree replay` retries it); pending: still queued when the wait ended',
});
