import type { Deviation } from '../core/errors';
import { idOf, idOfBytes } from '../ids';
import { validateEventSchema } from '../spec/validate';
import { isJsonSpace, trimJson } from './export';
import { decodeUtf8, parseJson } from './json';
import { type EventPlan, planEvent } from './plan';
import { planDeviations } from './plan/deviations';
import { type EventRow, eventRow } from './plan/event-row';
import { repairUnstorable, storableDeviations } from './repair';
import { understand } from './understand';

export type Prepared =
  /** `event`: the row acceptance stores, the verbatim text with what it is about; the normalizer plans the rest. */
  | { ok: true; id: string; event: EventRow; warnings: Deviation[] }
  /**
   * `value`: the JSON it parsed to, when it did (what a rejection records of the event, ingest/rejections.ts).
   * `reason`: what the refusal is counted as (src/metrics.ts).
   */
  | { ok: false; reason: Refused; errors: Deviation[]; value?: unknown };

/** Why an event was refused before touching the database: not UTF-8, not JSON, not understood, or strict mode. */
export type Refused = 'not_utf8' | 'not_json' | 'invalid' | 'strict';

export interface PrepareOptions {
  /** Refuse any deviation from the spec instead of storing the event with warnings. */
  strict: boolean;
}

/**
 * Everything acceptance needs to know of one event, without a database: parse, decide whether it can be
 * understood, validate against the vendored spec, find what planning will leave out, and build the row
 * that stores it verbatim. Planning its normalized rows is the normalizer's (planStored), behind the
 * answer. Pure and synchronous, so the HTTP route, the batch endpoint and the benchmark share it.
 */
export function prepareEvent(text: string, options: PrepareOptions, id?: string): Prepared {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, reason: 'not_json', errors: [parsed.error] };
  const repairs = repairUnstorable(parsed.value, text);
  const u = understand(parsed.value);
  if (!u.ok) return { ok: false, reason: 'invalid', errors: u.errors, value: parsed.value };
  const found = [...u.event.warnings, ...repairs, ...validateEventSchema(u.event.event, u.event.kind), ...planDeviations(u.event)];
  const warnings = distinct(found);
  if (options.strict && warnings.length) return { ok: false, reason: 'strict', errors: warnings, value: parsed.value };
  const eventId = id ?? eventIdOf(text);
  const event = eventRow(u.event, eventId, text);
  event.warnings = warnings.length ? storableDeviations(warnings) : null;
  return { ok: true, id: eventId, event, warnings };
}

/**
 * The plan of an event already stored (its id and verbatim text), for the normalizer: the rows only, without
 * the spec validation, whose warnings were kept with the event when it was accepted and change no row.
 * Deterministic, so it plans exactly what prepareEvent planned when the event came.
 */
export function planStored(id: string, text: string): { ok: true; plan: EventPlan } | { ok: false; errors: Deviation[] } {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  const found = repairUnstorable(parsed.value, text);
  const u = understand(parsed.value);
  if (!u.ok) return { ok: false, errors: u.errors };
  return { ok: true, plan: planEvent(u.event, id, text, found) };
}

/**
 * An event prepared as acceptance does, and planned at once: for the callers that store and normalize in
 * their own transaction (storePlans: the MLflow bridge, the benchmark's graph loader, tests).
 */
export function prepareAndPlan(
  text: string,
  options: PrepareOptions,
): { ok: true; id: string; plan: EventPlan; warnings: Deviation[] } | Extract<Prepared, { ok: false }> {
  const prepared = prepareEvent(text, options);
  if (!prepared.ok) return prepared;
  const planned = planStored(prepared.id, text);
  // Acceptance understood it, and planning is deterministic: it understands it again.
  if (!planned.ok) throw new Error(`an accepted event could not be planned: ${JSON.stringify(planned.errors)}`);
  return { ok: true, id: prepared.id, plan: { ...planned.plan, event: prepared.event }, warnings: prepared.warnings };
}

/** An event as the bytes received: UTF-8 is required, then as prepareEvent (its id hashed from the bytes). */
export function prepareBytes(bytes: Uint8Array, options: PrepareOptions): Prepared {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, reason: 'not_utf8', errors: [{ pointer: '', message: 'the body is not valid UTF-8' }] };
  return prepareEvent(text, options, eventIdOfBytes(bytes));
}

/** An event's id: a hash of its text without surrounding whitespace, so that an export re-imported keeps its ids. */
export function eventIdOf(text: string): string {
  return idOf('event', trimJson(text));
}

/**
 * eventIdOf the text these UTF-8 bytes decode to (decodeUtf8: valid UTF-8, a leading byte order mark
 * dropped), computed from the bytes: the mark and the JSON whitespace around the text are left out.
 */
export function eventIdOfBytes(bytes: Uint8Array): string {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.length;
  while (start < end && isJsonSpace(bytes[start]!)) start++;
  while (end > start && isJsonSpace(bytes[end - 1]!)) end--;
  return idOfBytes('event', bytes.subarray(start, end));
}

function distinct(list: Deviation[]): Deviation[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.pointer}\u0000${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
