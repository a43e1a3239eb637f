import type { Db, Query } from './client';
import { sqlState } from './errors';

/** Deadlock detected, serialization failure: the transaction lost a race, and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

export const isRetryable = (error: unknown) => RETRYABLE.has(sqlState(error) ?? '');

/** A short random pause before attempt `attempt + 1`, so that the two sides of a deadlock do not meet again. */
export const backoff = (attempt: number) => new Promise((r) => setTimeout(r, 5 * attempt * Math.random()));

/**
 * `fn` in a transaction, run again (up to `attempts` times in all) when it loses a deadlock or a
 * serialization race: ingest, normalization, retention and purges lock rows in key order, but a cycle
 * through rows another writer locks in another order remains possible, and is rare.
 */
export async function retriedTransaction<T>(db: Db, fn: (query: Query) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await backoff(attempt);
    }
  }
}
