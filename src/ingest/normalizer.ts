import type { Db } from '../db/client';
import { type CheckpointRule, checkpoint, checkpointDue, type DueTable, keepUp, tablesDue } from '../db/vacuum';
import type { Logger } from '../log';
import type { NormalizationProgress } from '../metrics';
import { type BatchOutcome, normalizeNext, type TextSource } from './normalize';
import type { EventRow } from './plan/event-row';
import { type EventState, stateOf } from './queue';
import { refreshStaleDocuments } from './stale-documents';

/**
 * Acceptance is durability; normalization follows behind.
 *
 * **Accepting** (writer.ts, queue.ts). A request's events are checked (prepareEvent: parsed, understood,
 * validated, their warnings found, not planned), then the
 * group-committed transaction of the writer stores each verbatim event and a row of the `pending_events`
 * queue for each one not stored before, in one multi-row statement per chunk (a batch of one statement,
 * as at concurrency 1, without BEGIN and COMMIT); 201 goes out once that commits. Nothing else is written on
 * the request's path, and a 201 means the event is on disk: after a crash (kill -9 at any moment) it is
 * either stored and queued, or was never answered 201.
 *
 * **Normalizing** (normalize.ts). A normalizer claims the oldest queued events in one transaction (DELETE
 * … FOR UPDATE SKIP LOCKED, up to `maxBatchEvents` events and `maxBatchBytes` of text), normalizes them
 * set-based (normalizePlans: the same upserts, job versions, edges and model links as ever, thousands of
 * events per transaction) and commits: the queue rows go with the rows they produced, so an event is
 * normalized exactly once, whoever crashes when. The job and dataset documents the batch changes are
 * marked stale in it, and built behind it, once for however many batches marked them
 * (stale-documents.ts). Several normalizers (instances on one PostgreSQL) claim side by side without
 * waiting for each other or doing the same work twice; their transactions meet only on shared rows,
 * which every writer locks in one global order (rules.ts). PGlite has one connection: its
 * transactions, acceptance's and the normalizer's, take turns, so its batches are kept small enough not to
 * hold acceptance up for long.
 *
 * **The same state whatever the batching.** Every merge is commutative and associative (rules.ts, the same
 * rule in JS within a batch and in SQL against stored rows) and job versions, current edges and links are
 * recomputed from what is stored: normalizing events one by one, in any order, or all in one batch, gives
 * the same tables, as synchronous ingest did (test/ordering.test.ts, test/replay.test.ts).
 *
 * **Failures.** A batch that fails for what it holds is bisected down to the events that fail alone; those
 * are set aside in `normalization_failures` with their error (listed by GET /api/v1/events/failed), the
 * others are normalized, nothing waits behind them. `pedigree replay` queues every stored event again, the
 * ones set aside included. A database that is unreachable fails nothing: the normalizer backs off and the
 * events stay queued.
 *
 * **Planning is the normalizer's** (planStored: parse again, then the rows; no validation, whose warnings
 * were kept with the event). The text of the events this process accepted is handed over by the writer
 * (`accepted`), kept up to `textCacheBytes`, so that they are not read back; anything else (after a
 * restart, another instance's events, replay) is read from lineage_events.
 *
 * **Batches form by themselves.** A commit wakes the loop after `lingerMs` (unless a request waits for its
 * events), so that a trickle of single events makes batches of a few dozen instead of one transaction
 * each; under load, events pile up while a batch runs and the next batch takes them all; a full batch is
 * followed at once by the next (on PGlite, after acceptance's turn: see `yieldRatio`), and so is one that took
 * longer than the linger, which gathered as much meanwhile. The normalizer runs one batch at a time by
 * default: acceptance keeps the rest of the machine.
 *
 * **Running** (this class). On Node the service starts one normalizer per process: it drains the queue at
 * start (what was pending before a restart), after the writer commits (see above), and every `idlePollMs`
 * (events another instance accepted and did not normalize). With PostgreSQL it runs on a thread of its
 * own, beside acceptance (normalizer-thread.ts); PGlite's, on the one thread that holds the database. On
 * Workers, which keep no process, the request that accepted events drains the queue after answering
 * (ctx.waitUntil) and a cron trigger drains what is left (src/worker.ts): the same cursor, run in turns.
 *
 * **Read-your-writes** on request (`Prefer: wait=normalized`): `settled` waits until the given events are
 * normalized (and the documents they changed built) or set aside, woken by this process's batches and
 * polling the queue for other instances'; where no loop runs it normalizes them itself.
 */

/** Defaults fit the database: PGlite's batches are smaller (they hold its one connection). */
export interface NormalizerOptions {
  /** Most events one batch takes. */
  maxBatchEvents?: number;
  /** Most bytes of event text one batch takes (one larger event still goes alone). */
  maxBatchBytes?: number;
  /** Batches in flight at once in this process. */
  concurrency?: number;
  /** How often a started normalizer looks for events it was not told about (other instances, retries). */
  idlePollMs?: number;
  /** Event text (in characters: about its bytes) kept from acceptance to normalization, not read back. */
  textCacheBytes?: number;
  /**
   * How long a batch waits for more events once some are queued, when no request waits for them: fewer,
   * larger transactions under a steady trickle of events, at the cost of that much lag.
   */
  lingerMs?: number;
  /**
   * After each batch of the loop, how long the database is left to others before the next, as a multiple
   * of the batch's duration. PGlite's one connection serves acceptance too, on the same thread: batches
   * back to back would leave requests a few milliseconds between them, in which they commit a handful of
   * events each, and the next batch takes that handful (at a batch's fixed cost per handful). Leaving
   * acceptance as long as the last batch took lets the next batch find what arrived meanwhile.
   */
  yieldRatio?: number;
  /**
   * This instance normalizes nothing (PEDIGREE_NORMALIZE=off): another on the same database does. It keeps
   * no text and runs no batch, not even for a waiter, whom it tells what the queue says (polled).
   */
  acceptOnly?: boolean;
  /** Told of each batch normalized (GET /metrics, /healthcheck). */
  progress?: NormalizationProgress;
  /** Where a paused normalization is reported (the process's logger). */
  logger?: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** PGlite: how long after the last upkeep (db/vacuum.ts) an empty queue lets the next run; 60 s. */
  upkeepMs?: number;
  /** PGlite: when a checkpoint is due (db/vacuum.ts checkpointDue); by default, the server's settings. */
  checkpoint?: CheckpointRule;
}

export type Settlement = EventState;

/**
 * What acceptance and the app ask of normalization, wherever its loop runs: on this thread (Normalizer) or
 * on one of its own (NormalizerThread, normalizer-thread.ts).
 */
export interface NormalizerControl {
  /** Starts the loop (a thread's: resolves once it runs). */
  start(): void | Promise<void>;
  /** The writer committed these events (those newly stored): their ids and text. */
  accepted(events: readonly Pick<EventRow, 'id' | 'raw'>[]): void;
  /** There may be queued events (a retry queued them again). */
  wake(): void;
  /** Waits until these events are normalized or set aside, at most `timeoutMs` (Prefer: wait=normalized). */
  settled(ids: readonly string[], timeoutMs: number, queuedNow?: ReadonlySet<string>): Promise<Map<string, Settlement>>;
  /** Normalizes until nothing is queued that this process can claim, or `deadline` passes. */
  drain(options?: { deadline?: number }): Promise<{ normalized: number; failed: BatchOutcome['failed'] }>;
  /** Finishes the batches in flight and stops. */
  stop(): Promise<void>;
}

interface Waiter {
  /** The ids still awaited. */
  open: Set<string>;
  results: Map<string, Settlement>;
  wake: () => void;
}

/** How often the waiters' events are looked up in the queue (those other normalizers hold). */
const WAITER_POLL_MS = 200;
/** Most waited ids one poll looks up. */
const MAX_POLLED = 10_000;

/** Under load, how often the documents batches made stale are built (see refreshWanted). */
const REFRESH_MS = 1000;
/** Idle, how often documents another instance marked stale are looked for. */
const IDLE_REFRESH_MS = 10_000;

/**
 * PGlite has no autovacuum and no checkpointer: its normalizer does their work (db/vacuum.ts). It looks for
 * the tables due when the queue is empty and a minute (autovacuum's naptime) has passed, or after this many
 * events if the queue never empties; then keeps one table up after each batch, so that each pause is one
 * table's. It looks at the WAL every CHECKPOINT_CHECK_EVERY events, and every CHECKPOINT_IDLE_CHECK_MS
 * while the queue is empty (for checkpoint_timeout), and checkpoints when it is due.
 */
const UPKEEP_MS = 60_000;
const UPKEEP_EVERY = 20_000;
/** PGlite: how often (events normalized) the WAL written since the last checkpoint is looked at. */
const CHECKPOINT_CHECK_EVERY = 1_000;
/** PGlite, idle: how often (ms) the WAL is looked at; a query each time, on an idle process. */
const CHECKPOINT_IDLE_CHECK_MS = 10_000;

const nextTurn: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

export class Normalizer implements NormalizerControl {
  /** Events the writer handed over since this normalizer was made. */
  acceptedEvents = 0;
  private readonly limits: { events: number; bytes: number };
  private readonly concurrency: number;
  private readonly idlePollMs: number;
  private readonly texts: TextCache;
  private started = false;
  private stopped = false;
  /** False where another instance normalizes (acceptOnly). */
  private readonly normalizes: boolean;
  /** Batches of the loop in flight. */
  private running = 0;
  /** Batches in flight, the loop's and others'. */
  private active = 0;
  /** Whether the queue may hold events for this process: set by a commit, a poll, a full batch. */
  private dirty = false;
  private scheduled = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private failuresInARow = 0;
  private resumeAt = 0;
  /** Events normalized since PGlite's tables were last looked at (tablesDue), and when that was. */
  private sinceUpkeep = 0;
  private upkeptAt = Date.now();
  private readonly upkeepMs: number;
  /** Events normalized since PGlite's WAL was last looked at (checkpointDue), and when that was. */
  private sinceCheckpointCheck = 0;
  private checkpointCheckedAt = 0;
  private readonly checkpointRule: CheckpointRule;
  /** The tables found due, not yet kept up. */
  private due: DueTable[] = [];
  private readonly waiters = new Map<string, Set<Waiter>>();
  private polling: ReturnType<typeof setTimeout> | undefined;
  private lingering: ReturnType<typeof setTimeout> | undefined;
  private readonly lingerMs: number;
  private readonly yieldRatio: number;
  /**
   * When the loop's next batch may start (performance.now() ms; see yieldRatio). Not Date.now(): its whole
   * milliseconds cut a 1.9 ms batch to 1, and the turn it gives acceptance by as much times the ratio.
   */
  private nextBatchAt = 0;
  private readonly progress: NormalizerOptions['progress'];
  private readonly logger: NormalizerOptions['logger'];
  private readonly idle = new Set<() => void>();
  /** Batches normalized since the documents were last built: their waiters are told once they are. */
  private readonly unsettled: BatchOutcome[] = [];
  /** Whether documents may be stale: true at start, for what was marked before a restart. */
  private documentsStale = true;
  private refreshedAt = 0;

  constructor(
    private readonly db: Db,
    options: NormalizerOptions = {},
  ) {
    const pglite = db.driver === 'pglite';
    // PGlite's one connection serves acceptance too: a batch holds it for its whole transaction.
    this.limits = {
      events: options.maxBatchEvents ?? (pglite ? 500 : 2000),
      bytes: options.maxBatchBytes ?? (pglite ? 8 : 32) * 1024 * 1024,
    };
    this.concurrency = options.concurrency ?? 1;
    this.idlePollMs = options.idlePollMs ?? 1000;
    // PGlite pays for every statement of a batch, small or large, on the thread that answers requests:
    // longer lingers make fewer, larger batches (a quarter of the CPU per event at concurrency 1).
    this.lingerMs = options.lingerMs ?? (pglite ? 250 : 50);
    this.yieldRatio = options.yieldRatio ?? (pglite ? 1 : 0);
    this.upkeepMs = options.upkeepMs ?? UPKEEP_MS;
    this.checkpointRule = options.checkpoint ?? {};
    this.progress = options.progress;
    this.logger = options.logger;
    this.normalizes = !options.acceptOnly;
    this.texts = new TextCache(this.normalizes ? (options.textCacheBytes ?? (pglite ? 4 : 32) * 1024 * 1024) : 0);
  }

  /** Normalizes continuously: what is queued now, then whatever is accepted or found queued, until stop(). */
  start(): void {
    if (this.started || this.stopped || !this.normalizes) return;
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.idlePollMs);
    (this.timer as { unref?: () => void }).unref?.();
    this.wake();
  }

  /** Finishes the batches in flight and stops; waiters get what is known (pending events stay pending). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.polling);
    clearTimeout(this.lingering);
    while (this.active > 0) await new Promise<void>((r) => this.idle.add(r));
    for (const set of this.waiters.values()) for (const w of set) w.wake();
  }

  /**
   * The writer committed these events (those newly stored): their text is kept, and the loop woken after
   * `lingerMs`, so that the events accepted meanwhile make one batch with them.
   */
  accepted(events: readonly Pick<EventRow, 'id' | 'raw'>[]): void {
    this.acceptedEvents += events.length;
    for (const event of events) this.texts.put(event.id, event.raw);
    this.wake(this.lingerMs);
  }

  /**
   * There may be queued events: they are claimed on the next turn of the event loop (or after `delayMs`,
   * unless someone waits for their events), when the normalizer is started or a request waits.
   */
  wake(delayMs = 0): void {
    this.dirty = true;
    if (!this.wanted()) return;
    if (delayMs > 0 && this.waiters.size === 0) {
      if (!this.scheduled && !this.lingering) {
        this.lingering = setTimeout(() => {
          this.lingering = undefined;
          this.pump();
        }, delayMs);
      }
      return;
    }
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (this.scheduled) return;
    this.scheduled = true;
    nextTurn(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Whether batches should run: the loop is started, or someone waits (where no loop runs, waiters drive it). */
  private wanted(): boolean {
    return !this.stopped && this.normalizes && (this.started || this.waiters.size > 0);
  }

  private pump(): void {
    if (Date.now() < this.resumeAt) return;
    const now = performance.now();
    if (now < this.nextBatchAt && this.dirty && this.wanted()) {
      // Acceptance's turn (yieldRatio): the loop comes back when it is over, waiters or not. A timer may
      // fire up to a millisecond early (libuv counts whole ones): the check above then sets it again.
      const wait = Math.ceil(this.nextBatchAt - now);
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.pump();
      }, wait);
      return;
    }
    while (this.running < this.concurrency && this.dirty && this.wanted()) {
      this.dirty = false;
      this.running++;
      let gathered = false;
      const started = performance.now();
      void this.batch()
        .then((outcome) => {
          // A batch that found events may have left more behind; an empty one means the queue is drained.
          if (outcome.claimed > 0) this.dirty = true;
          const full = outcome.claimed >= this.limits.events || outcome.bytes >= this.limits.bytes;
          gathered = full || (outcome.claimed > 0 && performance.now() - started >= this.lingerMs);
        })
        .catch(() => {})
        .finally(() => {
          this.running--;
          const ended = performance.now();
          this.nextBatchAt = ended + (ended - started) * this.yieldRatio;
          // A full batch left a backlog, and one that took longer than the linger left as many events as
          // lingering would have gathered: the next one at once (on PGlite, after acceptance's turn). After
          // a quicker one, what came meanwhile is a small batch: it lingers for more, unless someone waits.
          if (gathered) this.pump();
          else if (this.dirty) this.wake(this.lingerMs);
        });
    }
  }

  /** One batch; errors back the loop off (the events stay queued) and are logged once per run of them. */
  private async batch(): Promise<BatchOutcome> {
    try {
      const outcome = await this.next();
      if (this.failuresInARow > 0) this.logger?.info({ failedBatches: this.failuresInARow }, 'normalization resumed');
      this.failuresInARow = 0;
      return outcome;
    } catch (error) {
      if (this.failuresInARow++ === 0) this.logger?.error({ err: error }, 'normalization paused, events stay queued');
      this.resumeAt = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(this.failuresInARow, 7));
      this.dirty = true;
      throw error;
    }
  }

  /**
   * One batch, whoever runs it (the loop, drain, a waiter), then the documents it made stale when it is time
   * (see refreshWanted): its waiters told once both are done, stop() waiting for it. While anyone waits,
   * batches build the documents of the events waited for themselves: each would be followed by a build
   * anyway, and one transaction costs less than two (an embedded database's most of all).
   */
  private async next(): Promise<BatchOutcome> {
    this.active++;
    try {
      // Someone waits (for events this batch likely holds): the documents that show them are built in it, at
      // once; the others it changes are marked, as when nobody waits.
      const waited = this.waiters.size > 0 ? new Set(this.waiters.keys()) : undefined;
      const started = performance.now();
      const outcome = await normalizeNext(this.db, this.limits, this.texts, { documents: waited ? { waitedFor: waited } : 'mark' });
      for (const f of outcome.failed) this.logger?.warn({ eventId: f.id, error: f.error }, 'event set aside: its normalization failed');
      if (outcome.claimed > 0) this.progress?.batched(outcome.claimed, outcome.failed.length, (performance.now() - started) / 1000);
      if (outcome.oldestAcceptedAt !== undefined) this.progress?.normalized(outcome.normalized.length, outcome.oldestAcceptedAt);
      // Set aside, or built: told now. The others once the documents they marked are built (a waiter that
      // came while the batch ran may wait for one of them).
      const built = waited ? outcome.normalized.filter((id) => waited.has(id)) : [];
      this.settle({ ...outcome, normalized: built });
      const marked = waited ? outcome.normalized.filter((id) => !waited.has(id)) : outcome.normalized;
      if (marked.length > 0) {
        this.unsettled.push({ ...outcome, normalized: marked, failed: [] });
        this.documentsStale = true;
      }
      if (this.refreshWanted(outcome)) await this.refreshDocuments();
      else if (!this.documentsStale) this.settleUnsettled();
      await this.tidy(outcome);
      return outcome;
    } finally {
      if (--this.active === 0) {
        for (const r of this.idle) r();
        this.idle.clear();
      }
    }
  }

  /**
   * Whether to build the stale documents now (stale-documents.ts): a waiter needs its events' documents,
   * the queue is drained, or a second has passed since the last build under load (documents then lag
   * behind by about that, each built once for all the batches of that second). Idle, once in a while, for
   * what another instance marked and could not build.
   */
  private refreshWanted(outcome: BatchOutcome): boolean {
    const since = Date.now() - this.refreshedAt;
    if (!this.documentsStale) return outcome.claimed === 0 && since >= IDLE_REFRESH_MS;
    return outcome.claimed === 0 || since >= REFRESH_MS || this.unsettled.some((o) => this.waitedFor(o));
  }

  private waitedFor(outcome: BatchOutcome): boolean {
    return this.waiters.size > 0 && [...outcome.normalized, ...outcome.failed.map((f) => f.id)].some((id) => this.waiters.has(id));
  }

  /** Builds every stale document, then tells the waiters of the batches normalized before. */
  private async refreshDocuments(): Promise<void> {
    this.documentsStale = false;
    const unsettled = this.unsettled.splice(0);
    try {
      await refreshStaleDocuments(this.db);
      this.refreshedAt = Date.now();
    } catch (error) {
      this.documentsStale = true;
      this.unsettled.unshift(...unsettled);
      throw error;
    }
    for (const outcome of unsettled) this.settle(outcome);
  }

  private settleUnsettled(): void {
    for (const outcome of this.unsettled.splice(0)) this.settle(outcome);
  }

  private async tidy(outcome: BatchOutcome): Promise<void> {
    if (this.db.driver !== 'pglite') return;
    this.sinceUpkeep += outcome.claimed;
    this.sinceCheckpointCheck += outcome.claimed;
    const queueEmpty = outcome.claimed === 0;
    // The batch is committed: an upkeep that fails is said, and normalization goes on.
    try {
      if (
        this.sinceCheckpointCheck >= CHECKPOINT_CHECK_EVERY ||
        (queueEmpty && Date.now() - this.checkpointCheckedAt >= CHECKPOINT_IDLE_CHECK_MS)
      ) {
        this.sinceCheckpointCheck = 0;
        this.checkpointCheckedAt = Date.now();
        if (await checkpointDue(this.db, this.checkpointRule)) {
          await this.timed({ checkpoint: true }, () => checkpoint(this.db));
          return;
        }
      }
      if (this.due.length === 0) {
        // Idle, the statistics of the last batches are looked at too (PGlite writes them a second late).
        const idle = queueEmpty && Date.now() - this.upkeptAt >= this.upkeepMs;
        if (!idle && this.sinceUpkeep < UPKEEP_EVERY) return;
        this.sinceUpkeep = 0;
        this.upkeptAt = Date.now();
        this.due = await tablesDue(this.db);
      }
      const table = this.due.shift();
      if (table) await this.timed(table, () => keepUp(this.db, table));
    } catch (error) {
      this.logger?.warn({ err: error }, 'embedded database upkeep failed');
    }
  }

  /** An upkeep step, said when it held the database for long (as PostgreSQL's log_autovacuum_min_duration). */
  private async timed(what: object, step: () => Promise<void>): Promise<void> {
    const started = Date.now();
    await step();
    const ms = Date.now() - started;
    if (ms >= 1000) this.logger?.info({ ...what, ms }, 'embedded database upkeep took long');
  }

  /**
   * Normalizes until the queue holds nothing this process can claim (or `deadline`, epoch ms, passes):
   * for the CLI, replay, and Workers, where no loop runs. Returns what it did. A batch this process already
   * runs (the loop's) holds its events, which a claim skips: they are waited for, so that what was queued
   * when this was called is normalized (or set aside) when it returns, not merely claimed.
   */
  async drain(options: { deadline?: number } = {}): Promise<{ normalized: number; failed: BatchOutcome['failed'] }> {
    const total = { normalized: 0, failed: [] as BatchOutcome['failed'] };
    if (!this.normalizes) return total;
    const open = () => !this.stopped && (options.deadline === undefined || Date.now() < options.deadline);
    while (open()) {
      const outcome = await this.next();
      total.normalized += outcome.normalized.length;
      total.failed.push(...outcome.failed);
      if (outcome.claimed > 0) continue;
      if (this.active === 0) break;
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
    if (this.documentsStale || this.unsettled.length > 0) await this.refreshDocuments();
    return total;
  }

  /**
   * Waits until each of these stored events is normalized or set aside, at most `timeoutMs`: what each
   * one is then (still `pending` after the timeout). Woken by this process's batches; for the events another
   * instance normalizes, one poll of the queue serves every waiter (`poll`). Where no loop runs, the waiting
   * runs batches as the loop would. `queuedNow`: ids the caller's own commit just queued (the writer says
   * which), so pending: not looked up.
   */
  async settled(ids: readonly string[], timeoutMs: number, queuedNow: ReadonlySet<string> = new Set()): Promise<Map<string, Settlement>> {
    let wake = () => {};
    const done = new Promise<void>((r) => {
      wake = r;
    });
    const waiter: Waiter = { open: new Set(ids), results: new Map(), wake };
    for (const id of waiter.open) {
      const set = this.waiters.get(id) ?? new Set();
      set.add(waiter);
      this.waiters.set(id, set);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // What the database says of the others: already normalized (a duplicate), set aside, or pending.
      for (const [id, state] of await this.settledStates([...waiter.open].filter((id) => !queuedNow.has(id))))
        this.resolve(waiter, id, state);
      if (waiter.open.size > 0 && !this.stopped) {
        this.wake();
        this.schedulePoll();
        const timeout = new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
        });
        await Promise.race([done, timeout]);
      }
    } finally {
      clearTimeout(timer);
      for (const id of ids) {
        const set = this.waiters.get(id);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(id);
      }
    }
    for (const id of waiter.open) waiter.results.set(id, { state: 'pending' });
    return waiter.results;
  }

  /**
   * The events among `ids` that the queue no longer holds: normalized or set aside. Normalized ones may
   * have been so by a batch whose documents are not built yet (this process's or another's): they are
   * built first.
   */
  private async settledStates(ids: string[]): Promise<[string, Settlement][]> {
    const known = [...(await stateOf(this.db, ids))].filter(([, state]) => state.state !== 'pending');
    if (known.some(([, state]) => state.state === 'normalized')) await refreshStaleDocuments(this.db);
    return known;
  }

  /** Polls for every waiter at once while any waits (see settled). */
  private schedulePoll(): void {
    if (this.polling) return;
    this.polling = setTimeout(() => void this.poll(), WAITER_POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      for (const [id, state] of await this.settledStates([...this.waiters.keys()].slice(0, MAX_POLLED)))
        for (const w of this.waiters.get(id) ?? []) this.resolve(w, id, state);
    } catch {
      // The database is away: the waiters time out, or a later poll finds their events.
    } finally {
      this.polling = undefined;
      if (this.waiters.size > 0 && !this.stopped) {
        // Held by another normalizer when ours looked: look again (where no loop runs, waiters drive it).
        this.wake();
        this.schedulePoll();
      }
    }
  }

  private settle(outcome: BatchOutcome): void {
    if (this.waiters.size === 0) return;
    for (const id of outcome.normalized) for (const w of this.waiters.get(id) ?? []) this.resolve(w, id, { state: 'normalized' });
    for (const f of outcome.failed)
      for (const w of this.waiters.get(f.id) ?? []) this.resolve(w, f.id, { state: 'failed', error: f.error });
  }

  private resolve(waiter: Waiter, id: string, state: Settlement): void {
    if (!waiter.open.delete(id)) return;
    waiter.results.set(id, state);
    if (waiter.open.size === 0) waiter.wake();
  }
}

/**
 * Texts of accepted events, until their batch takes them: first in, first out within a budget, so that a
 * normalizer that falls behind, or events another instance normalizes, cost memory only up to the budget.
 */
class TextCache implements TextSource {
  private readonly texts = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  put(id: string, text: string): void {
    if (this.budget === 0 || this.texts.has(id)) return;
    this.texts.set(id, text);
    this.bytes += text.length;
    for (const [oldest, t] of this.texts) {
      if (this.bytes <= this.budget) break;
      this.texts.delete(oldest);
      this.bytes -= t.length;
    }
  }

  take(id: string): string | undefined {
    const text = this.texts.get(id);
    if (text !== undefined) {
      this.texts.delete(id);
      this.bytes -= text.length;
    }
    return text;
  }
}
