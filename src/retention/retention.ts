import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { LOCKS } from '../db/locks';
import { retriedTransaction } from '../db/retry';
import { select } from '../db/sql';
import { addCounts, noCounts, type RetentionCounts } from './counts';
import { countDatasetEvents, deleteDatasetEventChunk } from './dataset-events';
import { fillDoomedRuns } from './doomed';
import { collectFacetValues, countFacetValues } from './facet-values';
import { jobsWithDoomedJobEvents, retireJobEvents } from './job-events';
import {
  type Dropped,
  defaultMonthsBefore,
  dropMonth,
  droppable,
  ensureEventPartitions,
  type MonthPartition,
  monthsBefore,
  partitionDefault,
} from './partitions';
import { countRuns, deleteRunChunk } from './runs';

export interface RetentionOptions {
  /** Everything older than this instant (ISO) goes, but what is kept (doomed.ts). */
  cutoff: string;
  /** Count exactly what a pass would delete, and delete nothing. */
  dryRun?: boolean;
  /** Rows (runs, DatasetEvents, facet values) per transaction: each chunk holds its locks that long. */
  chunkSize?: number;
}

export interface RetentionReport {
  cutoff: string;
  dryRun: boolean;
  counts: RetentionCounts;
  /** The months of events dropped whole (a dry run: that would be), with their events (counted in `counts`). */
  months: Dropped[];
  /** Transactions the deletion took (0 for a dry run). */
  chunks: number;
  seconds: number;
}

export const DEFAULT_CHUNK = 2000;

/**
 * One retention pass (the design: doomed.ts for what goes and what stays, partitions.ts for the months
 * dropped whole). In order:
 *
 * 1. the partitions of the coming months are created (so none is missing after a long pause);
 * 2. the runs that go are listed (retention_doomed_runs), once, in one statement;
 * 3. the old months whose every event goes are dropped whole, checked again as each is dropped;
 * 4. the listed runs are deleted with everything they own, a chunk per transaction (runs.ts), each run
 *    checked again under its row lock, so ingest running meanwhile is never lost nor blocked for long;
 * 5. the DatasetEvents that go, then the JobEvents (with the versions only they declared), a chunk per
 *    transaction;
 * 6. the facet values no facet references, a chunk of keys per transaction (facet-values.ts).
 *
 * A dry run lists the runs the same way and counts, with the same predicates, what 3 to 6 would delete:
 * exactly, not a planner's estimate, and the same numbers the pass then reports when nothing was ingested
 * in between. Returns undefined when another pass holds the lock (PostgreSQL; the embedded database has
 * one process).
 */
export async function applyRetention(db: Db, options: RetentionOptions): Promise<RetentionReport | undefined> {
  if (db.driver === 'pglite') return pass(db, options);
  let report: RetentionReport | undefined;
  // The lock lives in a transaction of its own connection, idle while the pass runs on others: it ends
  // with that transaction, whatever happens to this process.
  await db.transaction(async (query) => {
    const [got] = await query<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${LOCKS.retentionPass}::bigint) as ok`);
    if (got?.ok) report = await pass(db, options);
  });
  return report;
}

async function pass(db: Db, options: RetentionOptions): Promise<RetentionReport> {
  const started = performance.now();
  const { cutoff } = options;
  const dryRun = options.dryRun ?? false;
  const size = options.chunkSize ?? DEFAULT_CHUNK;
  const counts = noCounts();
  const months: Dropped[] = [];
  let chunks = 0;

  if (!dryRun) {
    await ensureEventPartitions(db);
    await partitionDefault(db);
  }
  await db.transaction(async (query) => {
    await query(sql`delete from retention_doomed_runs`);
    await query(fillDoomedRuns(cutoff));
  });
  try {
    // A dry run creates no partition: the months the default partition holds count as the pass would
    // have partitioned them.
    const candidates = [...(await monthsBefore(db, cutoff)), ...(dryRun ? await defaultMonthsBefore(db, cutoff) : [])];
    for (const month of candidates.sort((a, b) => (a.from < b.from ? -1 : 1))) {
      if (!(await droppable(db, month, cutoff))) continue;
      if (dryRun) {
        const name = 'partition' in month ? (month.partition as string) : month.name;
        months.push({ name, events: await eventKinds(db, month) });
        continue;
      }
      const dropped = await dropMonth(db, month, cutoff);
      if (dropped) {
        months.push(dropped);
        addCounts(counts, { events: dropped.events });
        chunks++;
      }
    }

    if (dryRun) {
      addCounts(counts, await db.transaction((query) => countRuns(query, cutoff)));
      const [ds] = await select<{ n: number | string }>(db, countDatasetEvents(cutoff));
      const [fv] = await select<{ n: number | string }>(db, countFacetValues(cutoff));
      addCounts(counts, { events: { dataset: Number(ds!.n) }, facetValues: Number(fv!.n) });
      await eachJobChunk(db, cutoff, size, async (jobs) => {
        addCounts(counts, await db.transaction((query) => retireJobEvents(query, jobs, cutoff, true)));
      });
    } else {
      for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
        const ids = await select<{ run_id: string }>(
          db,
          sql`select run_id from retention_doomed_runs where run_id > ${after}::uuid order by run_id limit ${size}::int`,
        );
        if (ids.length === 0) break;
        addCounts(
          counts,
          await retriedTransaction(db, (query) =>
            deleteRunChunk(
              query,
              ids.map((r) => r.run_id),
              cutoff,
            ),
          ),
        );
        chunks++;
        after = ids[ids.length - 1]!.run_id;
      }
      for (let after: { time: string; id: string } | undefined, more = true; more; ) {
        const chunk = await retriedTransaction(db, (query) => deleteDatasetEventChunk(query, cutoff, size, after));
        addCounts(counts, { events: { dataset: chunk.deleted } });
        chunks++;
        after = chunk.next;
        more = chunk.next !== undefined;
      }
      await eachJobChunk(db, cutoff, size, async (jobs) => {
        addCounts(counts, await retriedTransaction(db, (query) => retireJobEvents(query, jobs, cutoff, false)));
        chunks++;
      });
      for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
        const [edge] = await select<{ upto: string | null }>(
          db,
          sql`select id::text as upto from (select id from facet_values where id > ${after}::uuid order by id limit ${size}::int) k
            order by id desc limit 1`,
        );
        if (!edge?.upto) break;
        const upto = edge.upto;
        addCounts(counts, { facetValues: await retriedTransaction(db, (query) => collectFacetValues(query, after, upto)) });
        chunks++;
        after = upto;
      }
    }
  } finally {
    await db.transaction((query) => query(sql`delete from retention_doomed_runs`));
  }
  return { cutoff, dryRun, counts, months, chunks, seconds: (performance.now() - started) / 1000 };
}

/** The jobs with doomed JobEvents, a chunk at a time (job-events.ts). */
async function eachJobChunk(db: Db, cutoff: string, size: number, fn: (jobs: string[]) => Promise<void>) {
  for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
    const jobs = (await select<{ job_id: string }>(db, jobsWithDoomedJobEvents(cutoff, after, size))).map((j) => j.job_id);
    if (jobs.length === 0) return;
    await fn(jobs);
    after = jobs[jobs.length - 1]!;
  }
}

async function eventKinds(db: Db, month: MonthPartition): Promise<Dropped['events']> {
  const kinds = await select<{ kind: 'run' | 'dataset' | 'job'; n: number | string }>(
    db,
    sql`select kind, count(*) as n from ${sql.identifier(month.name)}
      where event_time >= ${month.from}::timestamptz and event_time < ${month.to}::timestamptz group by kind`,
  );
  const events = { run: 0, dataset: 0, job: 0 };
  for (const k of kinds) events[k.kind] = Number(k.n);
  return events;
}
