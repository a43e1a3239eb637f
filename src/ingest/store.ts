import { sql } from 'drizzle-orm';
import type { Db, Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { insertNew, upsert } from '../db/upsert';
import { unhideNamed } from '../deletion/unhide';
import { refreshLinksAfterIngest } from '../models/link-refresh';
import { shareFacetValues } from '../retention/facet-values';
import { refreshCurrentEdges, refreshJobVersions } from './job-versions';
import type { EventPlan } from './plan';
import type { EventRow } from './plan/event-row';
import { storeAndQueue } from './queue';
import { eventRule, rules } from './rules';
import { type Documents, keepDocuments } from './stale-documents';

/**
 * Accepts a batch of events: each stored verbatim and, when it was not stored before, queued for the
 * normalizer (normalizer.ts), all in one commit. Returns the ids newly stored. On PostgreSQL a batch that
 * takes one statement (up to 32 events, queue.ts) runs without BEGIN and COMMIT: a statement is atomic by
 * itself, and they would cost two more round trips. PGlite has no round trips to save, and prepares
 * statements inside transactions only (pglite-prepared.ts): measured at concurrency 32, its batches
 * cost 3–5% less CPU that way than as unprepared statements.
 */
export async function acceptEvents(db: Db, events: EventRow[]): Promise<Set<string>> {
  const statements = storeAndQueue(events, db.maxRows);
  const run = async (query: Query) => (await Promise.all(statements.map(([text, params]) => query.raw(text, params)))).flat();
  const stored = statements.length === 1 && db.driver === 'postgres' ? await db.autocommit(run) : await db.transaction(run);
  return new Set(stored.map((r) => r.event_id as string));
}

/**
 * Stores and normalizes a batch of planned events in the caller's transaction, as one: for a caller whose
 * transaction must see its events normalized when it commits (the MLflow bridge, tracking/projection.ts;
 * the benchmark's graph loader). Ingest over HTTP accepts instead (acceptPlans). Events already stored
 * (same content hash) are skipped whole: their rows were written when they first came. Returns the ids
 * newly stored.
 */
export async function storePlans(query: Query, plans: EventPlan[]): Promise<Set<string>> {
  const unique = [...new Map(plans.map((p) => [p.event.id!, p])).values()].sort((a, b) => (a.event.id! < b.event.id! ? -1 : 1));
  const fresh = await insertEvents(query, unique);
  await normalizePlans(
    query,
    unique.filter((p) => fresh.has(p.event.id!)),
  );
  return fresh;
}

/** Stores the verbatim events; returns the ids that were not stored before. */
async function insertEvents(query: Query, ordered: EventPlan[]): Promise<Set<string>> {
  return new Set(
    (await insertNew(
      query,
      eventRule,
      ordered.map((p) => p.event),
    )) as string[],
  );
}

/**
 * Writes the normalized rows of events (already stored verbatim). Replaying stored events runs this alone:
 * merges are idempotent, so normalizing an event twice changes nothing. The documents they change are
 * built in the transaction (`build`), or marked stale and built behind it (`mark`: the normalizer's
 * batches, stale-documents.ts).
 */
export async function normalizePlans(query: Query, todo: EventPlan[], documents: Documents = 'build'): Promise<void> {
  if (todo.length === 0) return;

  // Issued in table order without waiting between statements: the driver pipelines them and the server
  // runs them in order, so a batch costs a few round trips, not one per table.
  const all = <K extends keyof typeof rules>(key: K) => todo.flatMap((p) => p[key] as never[]);
  // First, the facet values' lock, shared (retention's collection of unreferenced values takes it alone),
  // then which of the batch's values are stored: most are (Spark sends the same schema and plan facets with
  // every event), and those are not sent again. Under the lock, none can be collected before this
  // transaction's facets reference them.
  const values = all('facetValues') as { id: string }[];
  const [, stored] = await Promise.all([query(shareFacetValues()), storedValueIds(query, values)]);
  const rows = <K extends keyof typeof rules>(key: K) =>
    key === 'facetValues' ? (values.filter((v) => !stored.has(v.id)) as never[]) : all(key);
  await Promise.all([
    ...(Object.keys(rules) as (keyof typeof rules)[]).flatMap((key) => upsert(query, rules[key] as never, rows(key))),
    // What the events name and a deletion hid is shown again (when they were received after it).
    unhideNamed(query, todo),
  ]);
  await refreshJobVersions(
    query,
    todo.flatMap((p) => p.versionRuns.map((v) => v.runId)),
  );
  // Independent of each other: issued together. Model versions' links follow their evidence (the runs
  // written, their IO, facets and dataset versions) as job versions do.
  await Promise.all([
    refreshCurrentEdges(
      query,
      all('jobs').map((j: { id: string }) => j.id),
    ),
    refreshLinksAfterIngest(
      query,
      all('runs').map((r: { id: string }) => r.id),
    ),
  ]);
  // Last: the documents show the job versions and edges just refreshed, and their rows are the last locked.
  await keepDocuments(query, todo, documents);
}

/** Which of these facet values are stored: their ids only travel. */
async function storedValueIds(query: Query, values: { id: string }[]): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const ids = [...new Set(values.map((v) => v.id))];
  return new Set((await query<{ id: string }>(sql`select id from facet_values where id = any(${uuidArray(ids)})`)).map((r) => r.id));
}
