import { sql } from 'drizzle-orm';
import type { Deviation } from '../core/errors';
import { isObject } from '../core/json';
import { isUuid } from '../core/uuid';
import type { Db } from '../db/client';
import type { Logger } from '../log';
import { listed } from './import-report';
import { indexedProducer } from './producer';
import { storableDeviations, storableText } from './repair';

/**
 * Events refused because they were read and found invalid (400: not understood, or strict mode's
 * warnings), kept in `rejected_events` for the producers' conformance report (read/producers.ts). Bodies
 * that were never read as an event (too large, not JSON by their Content-Type, unauthenticated) are not.
 */

/** Enough of a body to see what the producer sent, bounded whatever its size. */
export const MAX_REJECTED_BYTES = 64 * 1024;
/** Strict mode may refuse an event for thousands of warnings; the first ones say enough. */
const MAX_ERRORS = 100;
const MAX_EVENT_TYPE = 64;

export interface RejectedEvent {
  producer: string | null;
  eventType: string | null;
  runId: string | null;
  errors: Deviation[];
  raw: string;
}

/** Not fatal: a body that is not UTF-8 is kept with U+FFFD where its bytes are not. */
const lenient = new TextDecoder('utf-8');

/**
 * The first MAX_REJECTED_BYTES of a body as storable text. The cut backs off to the start of a character
 * (a UTF-8 continuation byte is 10xxxxxx; at most 3 of them, so a body of stray bytes is still kept), and
 * NUL characters, which valid JSON cannot hold but a refused body can, become U+FFFD.
 */
export function rejectedText(bytes: Uint8Array): string {
  let end = Math.min(bytes.byteLength, MAX_REJECTED_BYTES);
  for (let back = 0; back < 3 && end > 0 && end < bytes.byteLength && (bytes[end]! & 0xc0) === 0x80; back++) end--;
  return storableText(lenient.decode(bytes.subarray(0, end)));
}

/**
 * A rejection as it is recorded: what the event says of itself when it parsed to an object (`value`),
 * its errors and its text, every string storable. Pure.
 */
export function rejectedEvent(bytes: Uint8Array, errors: Deviation[], value?: unknown): RejectedEvent {
  const event = isObject(value) ? value : {};
  const run = isObject(event.run) ? event.run : {};
  const producer = indexedProducer(event.producer);
  const type = event.eventType;
  return {
    producer: producer === null ? null : storableText(producer),
    eventType: typeof type === 'string' && type !== '' && type.length <= MAX_EVENT_TYPE ? storableText(type) : null,
    runId: isUuid(run.runId) ? run.runId.toLowerCase() : null,
    errors: storableDeviations(listed(errors, MAX_ERRORS)),
    raw: rejectedText(bytes),
  };
}

/** Records rejections in one statement whatever their number (its text is the same for any: prepared once). */
export async function storeRejections(db: Db, rejected: RejectedEvent[]): Promise<void> {
  if (rejected.length === 0) return;
  const rows = rejected.map((r) => ({ producer: r.producer, event_type: r.eventType, run_id: r.runId, errors: r.errors, raw: r.raw }));
  await db.transaction((query) =>
    query(sql`insert into rejected_events (producer, event_type, run_id, errors, raw)
      select r.producer, r.event_type, r.run_id, r.errors, r.raw
      from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(producer text, event_type text, run_id uuid, errors jsonb, raw text)`),
  );
}

/**
 * Records rejections, best effort: the client is answered its 400 whether or not they could be recorded
 * (the database gone, a value it refuses), so a failure is logged and never thrown.
 */
export async function keepRejections(db: Db, rejected: RejectedEvent[], logger: Pick<Logger, 'error'>): Promise<void> {
  try {
    await storeRejections(db, rejected);
  } catch (error) {
    logger.error({ err: error, events: rejected.length }, 'rejected events could not be recorded');
  }
}
