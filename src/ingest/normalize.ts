import type { Db, Query } from '../db/client';
import { isDatabaseUnavailable, sqlState } from '../db/errors';
import { isRetryable, retriedTransaction } from '../db/retry';
import { planStored } from './ingest';
import type { EventPlan } from './plan';
import { type Claimed, type ClaimLimits, claimAgain, claimNext, clearFailures, setAside, storedIds, storedTexts } from './queue';
import type { Documents } from './stale-documents';
import { normalizePlans } from './store';

/** What one call of normalizeNext did. */
export interface BatchOutcome {
  /** Events taken off the queue: normalized or set aside. 0 when nothing was queued that no one else held. */
  claimed: number;
  /** Their text, in bytes (a batch that reached its limits may have left more behind). */
  bytes: number;
  normalized: string[];
  failed: { id: string; error: string }[];
  /** When the earliest of the events claimed was accepted (ms since the epoch); absent when none was. */
  oldestAcceptedAt?: number;
}

export interface BatchOptions {
  /**
   * The documents the batch changes: marked stale (the default, stale-documents.ts), or built in its
   * transaction, for someone who waits for its events.
   */
  documents?: Documents;
}

/** Texts kept since acceptance (normalizer.ts), taken once each; the others are read from lineage_events. */
export interface TextSource {
  take(id: string): string | undefined;
}

/**
 * Claims the oldest queued events (within `limits`) and normalizes them set-based in one transaction, which
 * also takes them off the queue. When that transaction fails for the events it holds (not for a lost
 * connection), the batch is bisected, each half in its own transaction, down to the events that fail
 * alone: those are set aside with their error (normalization_failures) and the others normalized, so one
 * bad event costs about 2·log2(batch) transactions and blocks nothing. An event that cannot even be
 * planned is set aside at once. Deadlocks and serialization failures are retried as they are.
 */
export async function normalizeNext(db: Db, limits: ClaimLimits, source: TextSource, options: BatchOptions = {}): Promise<BatchOutcome> {
  const plans = new Plans(source, options);
  let claimed: Claimed[] = [];
  try {
    return await retriedTransaction(db, async (query) => {
      claimed = await claimNext(query, limits);
      return normalizeClaimed(query, claimed, plans);
    });
  } catch (error) {
    if (!isolable(error) || claimed.length === 0) throw error;
    return isolate(db, claimed, plans, error);
  }
}

const EMPTY: BatchOutcome = { claimed: 0, bytes: 0, normalized: [], failed: [] };
const bytesOf = (claimed: Claimed[]) => claimed.reduce((n, c) => n + c.size, 0);
/** `oldestAcceptedAt` of a batch: the earliest of these times, absent when there is none. */
function oldest(times: (number | undefined)[]): Pick<BatchOutcome, 'oldestAcceptedAt'> {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length ? { oldestAcceptedAt: known.reduce((a, b) => Math.min(a, b)) } : {};
}
const oldestOf = (claimed: Claimed[]) => oldest(claimed.map((c) => c.acceptedAt));

async function normalizeClaimed(query: Query, claimed: Claimed[], plans: Plans): Promise<BatchOutcome> {
  if (claimed.length === 0) return EMPTY;
  await plans.load(query, claimed);
  const good: EventPlan[] = [];
  const normalized: string[] = [];
  const failed: BatchOutcome['failed'] = [];
  for (const { id } of claimed) {
    const plan = plans.get(id);
    if (typeof plan === 'string') failed.push({ id, error: plan });
    else {
      // An event no longer stored (queued, then deleted) has nothing to normalize: it just leaves the queue.
      if (plan) good.push(plan);
      normalized.push(id);
    }
  }
  await normalizePlans(query, good, plans.options.documents ?? 'mark');
  // Whether they are all still stored, once written: an event's text may have come from acceptance, not
  // from the table, and retention may have deleted it since it was queued, or meanwhile (it locks a doomed
  // run before deleting its events, so a batch that writes that run waits for it to commit). Normalized,
  // their rows would outlive their events: the batch runs again without them.
  const stored = await storedIds(
    query,
    good.map((p) => p.event),
  );
  if (stored.size < good.length) {
    plans.forget(good.map((p) => p.event.id).filter((id) => !stored.has(id)));
    throw new EventsDeleted();
  }
  await Promise.all([setAside(query, failed), clearFailures(query, normalized)]);
  return { claimed: claimed.length, bytes: bytesOf(claimed), normalized, failed, ...oldestOf(claimed) };
}

/** The events of a failed batch, half by half, until each one that fails alone is set aside. */
async function isolate(db: Db, list: Claimed[], plans: Plans, error: unknown): Promise<BatchOutcome> {
  if (list.length === 1) {
    return retriedTransaction(db, async (query) => {
      const again = await claimAgain(query, [list[0]!.seq]);
      const failed = again.map(({ id }) => ({ id, error: describe(error) }));
      await setAside(query, failed);
      return { claimed: again.length, bytes: bytesOf(again), normalized: [], failed, ...oldestOf(again) };
    });
  }
  const mid = list.length >> 1;
  const outcomes: BatchOutcome[] = [];
  for (const half of [list.slice(0, mid), list.slice(mid)]) {
    try {
      outcomes.push(
        await retriedTransaction(db, async (query) =>
          normalizeClaimed(
            query,
            await claimAgain(
              query,
              half.map((c) => c.seq),
            ),
            plans,
          ),
        ),
      );
    } catch (e) {
      if (!isolable(e)) throw e;
      outcomes.push(await isolate(db, half, plans, e));
    }
  }
  return {
    claimed: outcomes.reduce((n, o) => n + o.claimed, 0),
    bytes: outcomes.reduce((n, o) => n + o.bytes, 0),
    normalized: outcomes.flatMap((o) => o.normalized),
    failed: outcomes.flatMap((o) => o.failed),
    ...oldest(outcomes.map((o) => o.oldestAcceptedAt)),
  };
}

/**
 * The plans of the events claimed, kept across the attempts of one batch (a retry, a bisection), with the
 * batch's options, planned from their text: the source's when it has it, else the stored one. A string
 * is why an event cannot be planned.
 */
class Plans {
  private readonly known = new Map<string, EventPlan | string | null>();

  constructor(
    private readonly source: TextSource,
    readonly options: BatchOptions,
  ) {}

  async load(query: Query, claimed: Claimed[]): Promise<void> {
    const texts = new Map<string, string>();
    const missing: string[] = [];
    for (const { id } of claimed) {
      if (this.known.has(id)) continue;
      const text = this.source.take(id);
      if (text !== undefined) texts.set(id, text);
      else missing.push(id);
    }
    for (const [id, text] of await storedTexts(query, missing)) texts.set(id, text);
    for (const { id } of claimed) {
      if (this.known.has(id)) continue;
      const text = texts.get(id);
      if (text === undefined) {
        this.known.set(id, null);
        continue;
      }
      const planned = planStored(id, text);
      this.known.set(
        id,
        planned.ok
          ? planned.plan
          : `not understood: ${planned.errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)).join('; ')}`,
      );
    }
  }

  /** These events are no longer stored: nothing to normalize (they leave the queue). */
  forget(ids: readonly string[]): void {
    for (const id of ids) this.known.set(id, null);
  }

  get(id: string): EventPlan | string | null | undefined {
    return this.known.get(id);
  }
}

/**
 * Whether a failed batch may hold an event that fails alone. Not when the database is unreachable (every
 * event would fail: the batch waits in the queue) nor after deadlocks that retries did not get past.
 */
function isolable(error: unknown): boolean {
  return !isDatabaseUnavailable(error) && !isRetryable(error);
}

/** The error as kept with the event set aside: its message and SQLSTATE. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  return code ? `${message} (SQLSTATE ${code})` : message;
}

/** Events of a batch deleted while it ran: a race lost, run again (SQLSTATE 40001, as a serialization failure). */
class EventsDeleted extends Error {
  readonly code = '40001';
  constructor() {
    super('events of the batch were deleted while it ran');
  }
}
