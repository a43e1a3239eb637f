import { z } from '@hono/zod-openapi';
import { Deviation } from './common';

/** The answers of the producers' conformance report (src/read/producers.ts). Times are ISO 8601 (UTC). */

const time = z.string().openapi({ format: 'date-time' });
const count = z.number().int();

export const ProducerSummary = z
  .object({
    producer: z.string().openapi({ description: 'the `producer` URI its events send' }),
    events: count.openapi({ description: 'events stored' }),
    eventsWithWarnings: count.openapi({ description: 'events stored with warnings' }),
    rejected: count.openapi({ description: 'events refused with 400 (strict mode included)' }),
    firstSeen: time.openapi({ description: 'the earliest event time, or receipt of a rejected event' }),
    lastSeen: time.openapi({ description: 'the latest event time, or receipt of a rejected event' }),
  })
  .openapi('ProducerSummary');

export const Producers = z
  .object({ producers: z.array(ProducerSummary).openapi({ description: 'the most recently seen first' }) })
  .openapi('Producers');

export const ProducerWarning = z
  .object({
    pointer: z.string().openapi({ description: 'JSON pointer into the event' }),
    message: z.string(),
    count: count.openapi({ description: 'events stored with this warning' }),
    lastSeen: time.openapi({ description: 'the latest event time of those' }),
    exampleEventId: z.string().openapi({ format: 'uuid', description: 'the latest of those events' }),
  })
  .openapi('ProducerWarning');

export const Rejection = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    receivedAt: time,
    eventType: z.string().nullable().openapi({ description: 'as sent, when the body was a JSON object with a short string there' }),
    runId: z.string().nullable().openapi({ description: '`run.runId`, when it was a UUID' }),
    errors: z
      .array(Deviation)
      .openapi({ description: 'why it was refused: the 400 answer, at most 100 (strict mode: the warnings it refused)' }),
    raw: z.string().openapi({ description: 'the text received: its first 64 KiB, NUL characters and bytes that are not UTF-8 as U+FFFD' }),
  })
  .openapi('Rejection');

export const ProducerReport = z
  .object({
    producer: z.string(),
    events: count,
    eventsWithWarnings: count,
    rejected: count,
    warnings: z
      .array(ProducerWarning)
      .openapi({ description: 'the warnings of its stored events by pointer and message, the most frequent first (at most 100)' }),
    rejections: z.array(Rejection).openapi({ description: 'its rejected events, newest first: the page `limit` and `offset` ask for' }),
  })
  .openapi('ProducerReport');
