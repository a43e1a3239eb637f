import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { refreshAllLinks } from '../models/link-refresh';
import { storedEventPages } from './export';
import { prepareEvent } from './ingest';
import type { EventPlan } from './plan';
import { normalizePlans } from './store';

export interface ReplayResult {
  events: number;
  /** Stored events the current rules no longer understand (they stay stored, unnormalized). */
  skipped: string[];
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
] as const;

/**
 * Normalizes the stored verbatim events again, a page at a time in id order, one transaction per page.
 * With `rebuild`, the normalized tables are emptied first, so they end up exactly what the current code
 * derives from the stored events (after a fix to normalization, say). Without it, merges are idempotent
 * and replay only fills in what is missing.
 */
export async function replayEvents(db: Db, options: { rebuild?: boolean; pageSize?: number } = {}): Promise<ReplayResult> {
  if (options.rebuild) await db.orm.execute(sql.raw(`truncate ${NORMALIZED_TABLES.join(', ')}`));
  const pageSize = options.pageSize ?? 500;
  const result: ReplayResult = { events: 0, skipped: [] };
  for await (const page of storedEventPages(db, pageSize)) {
    const plans: EventPlan[] = [];
    for (const { id, raw } of page) {
      const prepared = prepareEvent(raw, { strict: false });
      if (prepared.ok) plans.push(prepared.plan);
      else result.skipped.push(id);
    }
    await db.transaction((query) => normalizePlans(query, plans));
    result.events += plans.length;
  }
  // Links derive from the events and the registry: each page refreshed the versions it touched, but a
  // rebuild may have removed what linked others; every version's links are computed again once all is in.
  await db.transaction((query) => refreshAllLinks(query));
  return result;
}
