import type { Deviation } from '../core/errors';
import { isRefusedValue } from '../db/errors';
import type { RejectionReason } from '../metrics';
import { type ImportReport, type ItemOutcome, type Rejected, ReportBuilder } from './import-report';
import { prepareBytes } from './ingest';
import type { EventRow } from './plan/event-row';
import { producerOf } from './producer';
import { type RejectedEvent, rejectedEvent } from './rejections';
import { type BatchFormat, type SplitItem, splitItems } from './split';
import type { EventWriter } from './writer';

export interface ImportOptions {
  format: BatchFormat;
  /** Refuse any deviation from the spec instead of storing the event with warnings. */
  strict: boolean;
  maxEventBytes: number;
  /** Called for each item once it is settled (stored or rejected), in order. */
  onItem?: (item: ItemOutcome) => void;
  /**
   * Records the items read and found invalid (not those too large or malformed), a chunk at a time, beside
   * the chunk's transaction (ingest/rejections.ts). Must not throw: recording never fails an import.
   */
  keepRejected?: (rejected: RejectedEvent[]) => Promise<void>;
  /** Told of each item refused, as it is (the metrics' count of rejected events, src/metrics.ts). */
  refused?: (reason: RejectionReason, producer: string | null) => void;
}

/**
 * An import that stopped part-way: the source failed (a body over its limit, broken gzip) or the database
 * did (`cause`). Items are settled in order, so everything before `settled` was stored or rejected (as
 * `report` says) and nothing from `settled` on was stored. Storing is idempotent (an event's id is its
 * content hash), so sending the whole batch again is always safe.
 */
export class ImportInterrupted extends Error {
  constructor(
    cause: unknown,
    readonly settled: number,
    readonly report: ImportReport,
  ) {
    super(
      `items before index ${settled} were settled (${report.accepted} stored, ${report.rejected} rejected); nothing from index ${settled} on was stored`,
      { cause },
    );
    this.name = 'ImportInterrupted';
  }
}

/** An item prepared for storing, waiting for its chunk to commit. */
interface Pending {
  index: number;
  line?: number;
  event: EventRow;
  warnings: Deviation[];
}

const CHUNK_EVENTS = 500;
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Rejected items wait with their chunk, so that outcomes are reported in order; this bounds them. */
const CHUNK_ITEMS = 2000;

class Chunk {
  readonly items: (Pending | Rejected)[] = [];
  readonly events: EventRow[] = [];
  /** The rejected items as they are recorded (when they are). */
  readonly kept: RejectedEvent[] = [];
  private bytes = 0;

  add({ item, kept }: PreparedItem): void {
    this.items.push(item);
    if ('event' in item) {
      this.events.push(item.event);
      this.bytes += item.event.raw.length;
    }
    if (kept) {
      this.kept.push(kept);
      this.bytes += kept.raw.length;
    }
  }

  get full(): boolean {
    return this.events.length >= CHUNK_EVENTS || this.bytes >= CHUNK_BYTES || this.items.length >= CHUNK_ITEMS;
  }
}

/**
 * Stores a batch of events read from `chunks` (a JSON array, NDJSON or a JSON text sequence): each item is
 * accepted or rejected on its own, and accepted items are committed in chunks (one transaction each) as
 * the source is read, the next chunk being prepared while the previous one commits. Memory is bounded by
 * two chunks and the report, whatever the number of items. Throws ImportInterrupted when the source or
 * the database fails part-way.
 */
export async function importEvents(
  writer: Pick<EventWriter, 'write'>,
  chunks: AsyncIterable<Uint8Array>,
  options: ImportOptions,
): Promise<ImportReport> {
  const report = new ReportBuilder();
  let settled = 0;
  const settle = (item: ItemOutcome) => {
    report.add(item);
    options.onItem?.(item);
    settled = item.index + 1;
  };

  let chunk = new Chunk();
  let committing: Promise<void> = Promise.resolve();
  const flush = async () => {
    await committing;
    const full = chunk;
    chunk = new Chunk();
    committing = commit(writer, full, settle, options);
    // Awaited at the next flush; until then a failure must not count as an unhandled rejection.
    committing.catch(() => {});
  };

  let failure: { error: unknown } | undefined;
  try {
    for await (const item of splitItems(chunks, options.format, options.maxEventBytes)) {
      chunk.add(prepareItem(item, options));
      if (chunk.full) await flush();
    }
  } catch (error) {
    failure = { error };
  }
  // Items read whole before the source failed are stored too; after a failed commit, nothing more is.
  try {
    await flush();
    await committing;
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw new ImportInterrupted(failure.error, settled, report.result);
  return report.result;
}

/** An item's place in the batch. */
const placeOf = (item: { index: number; line?: number }) =>
  item.line === undefined ? { index: item.index } : { index: item.index, line: item.line };

/** An item prepared, and, when it is rejected and rejections are recorded, its record. */
interface PreparedItem {
  item: Pending | Rejected;
  kept?: RejectedEvent;
}

function prepareItem(item: SplitItem, options: ImportOptions): PreparedItem {
  const at = placeOf(item);
  if ('tooLarge' in item) {
    options.refused?.('too_large', null);
    return { item: { ...at, outcome: 'tooLarge', errors: [{ pointer: '', message: `event larger than ${options.maxEventBytes} bytes` }] } };
  }
  // A broken array or a truncated body: there is no event text to keep.
  if ('malformed' in item) {
    options.refused?.('not_json', null);
    return { item: { ...at, outcome: 'invalid', errors: [{ pointer: '', message: item.malformed }] } };
  }
  const prepared = prepareBytes(item.bytes, { strict: options.strict });
  if (!prepared.ok) {
    options.refused?.(prepared.reason, producerOf(prepared.value));
    const rejected: Rejected = { ...at, outcome: 'invalid', errors: prepared.errors };
    return options.keepRejected ? { item: rejected, kept: rejectedEvent(item.bytes, prepared.errors, prepared.value) } : { item: rejected };
  }
  return { item: { ...at, event: prepared.event, warnings: prepared.warnings } };
}

const refused: Deviation = { pointer: '', message: 'the database refused a value of this event (too long, or not valid text)' };

/** Commits a chunk, recording its rejected items beside it (which never fails). */
async function commit(
  writer: Pick<EventWriter, 'write'>,
  chunk: Chunk,
  settle: (item: ItemOutcome) => void,
  { keepRejected, refused }: Pick<ImportOptions, 'keepRejected' | 'refused'>,
): Promise<void> {
  const recorded = keepRejected && chunk.kept.length ? keepRejected(chunk.kept) : undefined;
  try {
    await store(writer, chunk, settle, refused);
  } finally {
    await recorded;
  }
}

/**
 * Writes a chunk in one transaction and settles its items in order. A value the database refuses fails
 * the whole transaction: the chunk is then written event by event, so that only the culprit is rejected.
 */
async function store(
  writer: Pick<EventWriter, 'write'>,
  chunk: Chunk,
  settle: (item: ItemOutcome) => void,
  refusedItem: ImportOptions['refused'],
): Promise<void> {
  const accepted = ({ event, ...at }: Pending): ItemOutcome => ({ ...at, outcome: 'accepted', id: event.id! });
  try {
    if (chunk.events.length) await writer.write(chunk.events);
  } catch (error) {
    if (!isRefusedValue(error)) throw error;
    for (const item of chunk.items) {
      if (!('event' in item)) settle(item);
      else {
        try {
          await writer.write([item.event]);
          settle(accepted(item));
        } catch (alone) {
          if (!isRefusedValue(alone)) throw alone;
          refusedItem?.('invalid', item.event.producer ?? null);
          settle({ ...placeOf(item), outcome: 'invalid', errors: [refused] });
        }
      }
    }
    return;
  }
  for (const item of chunk.items) settle('event' in item ? accepted(item) : item);
}
