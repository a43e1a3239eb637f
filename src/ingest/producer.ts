/**
 * The producer as the indexed columns keep it (`lineage_events.producer`, `rejected_events.producer`),
 * which the conformance report groups and looks up by. A btree key holds about 2.7 kB: a longer producer
 * would make the event's insert fail, so one over MAX_PRODUCER characters (at most 2 kB of UTF-8) is left
 * out of the column, as other unindexable values are left out of the normalized model; the verbatim event
 * keeps it.
 */
export const MAX_PRODUCER = 512;

export const indexedProducer = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' && value.length <= MAX_PRODUCER ? value : null;

/** The producer of what a body parsed to, as indexed (null when it is not an object naming one). */
export const producerOf = (parsed: unknown): string | null =>
  typeof parsed === 'object' && parsed !== null ? indexedProducer((parsed as { producer?: unknown }).producer) : null;

export const producerLeftOut = {
  pointer: '/producer',
  message: `producer is longer than ${MAX_PRODUCER} characters: kept in the verbatim event only`,
};
