import type { Db } from '../db/client';
import { isDatabaseUnavailable } from '../db/errors';
import { backoff, isRetryable } from '../db/retry';
import type { Metrics } from '../metrics';
import type { EventRow } from './plan/event-row';
import { acceptEvents } from './store';

export interface WriterOptions {
  /** Most events one transaction takes. */
  maxBatchEvents?: number;
  /** Most raw bytes one transaction takes (one larger event still goes alone). */
  maxBatchBytes?: number;
  /** Transactions in flight at once (1 for PGlite, which has one connection anyway). */
  concurrency?: number;
  /** Told of each commit: events by producer, batch size and time. */
  metrics?: Pick<Metrics, 'committed'>;
  /** Told of the events each commit stored for the first time (the normalizer: normalizer.ts). */
  onAccepted?: (events: EventRow[]) => void;
}

interface Pending {
  events: EventRow[];
  bytes: number;
  resolve: (fresh: Set<string>) => void;
  reject: (error: unknown) => void;
}

/** The next turn of the event loop (setImmediate where the runtime has it). */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/**
 * Group commit of acceptance: each event verbatim and its place in the normalization queue (store.ts,
 * acceptPlans); normalization follows in the background (normalizer.ts). Concurrent requests queue their
 * planned events; whenever a transaction slot is free, one transaction takes everything queued (within
 * limits) and writes it with multi-row statements. Under load
 * the batches grow by themselves, so the cost of a commit is shared by many events; when idle, an event is
 * written at once. A failing batch is retried one request at a time, so one bad request cannot fail others
 * (unless the database is unreachable: then all fail at once).
 */
export class EventWriter {
  private queue: Pending[] = [];
  private running = 0;
  private scheduled = false;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly concurrency: number;
  private readonly onAccepted: ((events: EventRow[]) => void) | undefined;
  private idlers: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly options: WriterOptions = {},
  ) {
    this.maxEvents = options.maxBatchEvents ?? 256;
    this.maxBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
    this.concurrency = options.concurrency ?? (db.driver === 'pglite' ? 1 : 2);
    this.onAccepted = options.onAccepted;
  }

  /** Resolves once the events are committed (stored and queued), with the ids that were not stored before. */
  write(events: EventRow[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      const bytes = events.reduce((n, e) => n + e.raw.length, 0);
      this.queue.push({ events, bytes, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Resolves once nothing is queued or being committed: at shutdown, every request still waiting for its
   * commit has been told its outcome before the connection to the database is closed.
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && this.queue.length === 0 && !this.scheduled;
  }

  /**
   * Starts flushing on the next turn of the event loop rather than at once: requests whose bodies are
   * already here get to join the batch. With PGlite (which runs on this thread) this is what lets batches
   * form at all; elsewhere it costs one event-loop turn.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    nextTurn(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.isIdle() && this.idlers.length > 0) for (const resolve of this.idlers.splice(0)) resolve();
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.take();
      this.running++;
      void this.flush(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let events = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && (events + next.events.length > this.maxEvents || bytes + next.bytes > this.maxBytes)) break;
      batch.push(this.queue.shift()!);
      events += next.events.length;
      bytes += next.bytes;
    }
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const fresh = await this.transact(batch.flatMap((p) => p.events));
      for (const p of batch) p.resolve(fresh);
    } catch (error) {
      // Retrying one request at a time isolates a bad one; when the database is unreachable it would only
      // make every request wait for its own connection timeout.
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve(await this.transact(p.events));
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }

  private async transact(events: EventRow[]): Promise<Set<string>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = performance.now();
        const fresh = await acceptEvents(this.db, events);
        this.options.metrics?.committed(events, (performance.now() - started) / 1000);
        if (this.onAccepted && fresh.size) this.onAccepted(events.filter((e) => fresh.has(e.id!)));
        return fresh;
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
        await backoff(attempt);
      }
    }
  }
}
