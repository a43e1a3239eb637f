import { sql } from 'drizzle-orm';
import type { Db, Query } from '../db/client';
import { LOCKS } from '../db/locks';
import { refreshDocuments } from '../read/documents';
import type { EventPlan } from './plan';
import { type Changed, changedBy, readersAfter, refreshReadModels, touchedBy } from './read-models';

/**
 * The normalizer's documents are refreshed behind its batches, not in them. A job's document holds its
 * ten latest runs, whole (tens of KB for a Spark job): a batch that refreshed the documents it touched
 * paid that for every job in every batch, most of an embedded server's time when batches are small. Now
 * a batch marks what it changed (`stale_documents`, in its transaction: a crash loses no refresh), and
 * `refreshStaleDocuments` builds each stale document once for however many batches touched it since:
 * the normalizer runs it when the queue is drained, at most a second after the last refresh under load,
 * and before telling a waiter (`Prefer: wait=normalized`) its events are normalized, so read-your-writes
 * holds for documents too. Listings and graphs may meanwhile show a document as it was before the latest
 * batches, as they showed it before those events were normalized.
 */
/**
 * What a normalization does with the documents it changes: builds them in its transaction, marks them
 * stale, or builds those that show the events someone waits for (`waitedFor`, event ids) and marks the others.
 */
export type Documents = 'build' | 'mark' | { waitedFor: ReadonlySet<string> };

/** The documents these events change, kept as `documents` says, in the caller's transaction. */
export async function keepDocuments(query: Query, plans: EventPlan[], documents: Documents): Promise<void> {
  if (documents === 'mark') return markDocumentsStale(query, plans);
  if (documents === 'build') return refreshReadModels(query, plans);
  const waited = plans.filter((p) => documents.waitedFor.has(p.event.id!));
  if (waited.length === 0) return markDocumentsStale(query, plans);
  if (waited.length === plans.length) return refreshReadModels(query, plans);
  return buildWaitedMarkOthers(query, plans, waited);
}

/**
 * A waiter needs the documents that show its events, not every one its batch changed: a large batch of a
 * busy fleet touches hundreds of jobs, whose documents the waiter would wait for. Those are built; the
 * batch's others marked stale. A job document built takes in every run of the batch it shows, waited for
 * or not, so that it is what building it from scratch gives.
 */
async function buildWaitedMarkOthers(query: Query, plans: EventPlan[], waited: EventPlan[]): Promise<void> {
  // The batch's readers serve the waited events too (looked up once): built, a reader's document is right
  // whichever event of the batch gave the version it read.
  const readers = await readersAfter(query, plans);
  const [all, theirs] = [changedBy(plans, readers), changedBy(waited, readers)];
  const jobs = new Set(theirs.jobs);
  const datasets = new Set(theirs.datasets);
  await markStale(query, {
    jobs: all.jobs.filter((id) => !jobs.has(id)),
    datasets: all.datasets.filter((id) => !datasets.has(id)),
    changedRuns: all.changedRuns.filter((r) => !jobs.has(r.job_id)),
  });
  await refreshDocuments(query, {
    jobs: [...jobs],
    datasets: [...datasets],
    changedRuns: all.changedRuns.filter((r) => jobs.has(r.job_id)).map((r) => r.id),
  });
}

export async function markDocumentsStale(query: Query, plans: EventPlan[]): Promise<void> {
  await markStale(query, await touchedBy(query, plans));
}

/** Marks these documents stale, a job's with its changed runs. */
async function markStale(query: Query, { jobs, datasets, changedRuns }: Changed): Promise<void> {
  if (jobs.length + datasets.length === 0) return;
  const runsOf = new Map<string, Set<string>>();
  for (const r of changedRuns) runsOf.set(r.job_id, (runsOf.get(r.job_id) ?? new Set()).add(r.id));
  const rows = [
    ...[...datasets].sort().map((id) => ({ kind: 'dataset', id })),
    ...[...jobs].sort().map((id) => ({ kind: 'job', id, runs: [...(runsOf.get(id) ?? [])] })),
  ];
  // In key order, as every writer's rows: concurrent batches wait for each other here, never in a cycle.
  // A job marked again gathers the runs of both marks.
  await query(sql`insert into stale_documents (kind, id, runs)
    select x.kind, x.id, x.runs from json_to_recordset(${JSON.stringify(rows)}::json) as x(kind text, id uuid, runs uuid[])
    on conflict (kind, id) do update set runs = array(
      select distinct r from unnest(stale_documents.runs || excluded.runs) r order by r)`);
}

/** Jobs, and datasets, whose documents one refresh transaction builds at most. */
const REFRESH_BATCH = 1000;

/**
 * Builds the stale documents again, in transactions of up to REFRESH_BATCH jobs and as many datasets,
 * until none is left (the usual refresh is one transaction); returns how many were built. One refresh
 * runs at a time (across instances, by an advisory lock): a second caller waits for it, then refreshes
 * what was marked meanwhile, so that when this returns every document marked stale before the call is
 * built. Rows are taken in key order, as batches mark them (no lock cycle), and a job's row is taken as
 * the last batch that marked it left it.
 */
export async function refreshStaleDocuments(db: Db): Promise<number> {
  let built = 0;
  for (;;) {
    const n = await db.transaction(async (query) => {
      await query(sql`select pg_advisory_xact_lock(${LOCKS.staleDocuments}::bigint)`);
      const take = (kind: 'dataset' | 'job') =>
        query<{ id: string; runs: string[] | null }>(sql`
          delete from stale_documents where kind = ${kind} and id in (
            select id from stale_documents where kind = ${kind} order by id limit ${REFRESH_BATCH}::int for update)
          returning id, runs::text[] as runs`);
      const datasets = await take('dataset');
      const jobs = await take('job');
      await refreshDocuments(query, {
        jobs: jobs.map((j) => j.id),
        datasets: datasets.map((d) => d.id),
        changedRuns: jobs.flatMap((j) => j.runs ?? []),
      });
      return { built: jobs.length + datasets.length, more: jobs.length === REFRESH_BATCH || datasets.length === REFRESH_BATCH };
    });
    built += n.built;
    if (!n.more) return built;
  }
}
