import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { refreshAllLinks } from '../models/link-refresh';
import type { BatchOutcome } from './normalize';
import { Normalizer } from './normalizer';
import { requeue } from './queue';

export interface ReplayResult {
  /** Events normalized (those queued before the replay included). */
  events: number;
  /** Events set aside again, with their errors (the current rules do not understand them, or they fail). */
  failed: BatchOutcome['failed'];
}

/** The tables derived from lineage_events: everything replay may rebuild. */
export const NORMALIZED_TABLES = [
  'namespaces',
  'namespace_counts',
  'sources',
  'datasets',
  'dataset_versions',
  'dataset_fields',
  'dataset_symlinks',
  'column_lineage',
  'jobs',
  'job_versions',
  'job_version_io',
  'job_io',
  'runs',
  'run_io',
  'facets',
  'facet_values',
  'job_documents',
  'dataset_documents',
  'stale_documents',
] as const;

/**
 * Normalizes the stored verbatim events again: queues them (in id order) and drains the queue as the
 * normalizer does, in batches of `batchEvents`, setting aside those that fail. With `rebuild`, the
 * normalized tables are emptied first, so they end up exactly what the current code derives from the
 * stored events (after a fix to normalization, say). Without it, merges are idempotent and replay only
 * fills in what is missing. `failedOnly` queues the events set aside alone: the retry after a fix.
 */
export async function replayEvents(
  db: Db,
  options: { rebuild?: boolean; failedOnly?: boolean; batchEvents?: number } = {},
): Promise<ReplayResult> {
  if (options.rebuild) await db.orm.execute(sql.raw(`truncate ${NORMALIZED_TABLES.join(', ')}`));
  await requeue(db, options.failedOnly && !options.rebuild ? 'failed' : 'all');
  // Nothing was accepted here: there are no plans to keep.
  const normalizer = new Normalizer(db, { maxBatchEvents: options.batchEvents ?? 500, textCacheBytes: 0 });
  const { normalized, failed } = await normalizer.drain();
  // Links derive from the events and the registry: each batch refreshed the versions it touched, but a
  // rebuild may have removed what linked others; every version's links are computed again once all is in.
  await db.transaction((query) => refreshAllLinks(query));
  return { events: normalized, failed };
}
