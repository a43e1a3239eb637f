import { type SQL, sql } from 'drizzle-orm';
import type { Db, Query } from '../db/client';
import { select, uuidArray } from '../db/sql';
import { datasetDocument, jobDocument } from './json';

/**
 * The read models (job_documents, dataset_documents): each job's and dataset's Marquez document, and its
 * lineage node's data, built by the builders of json.ts when something they show changes, so that a
 * listing or a graph reads one row per entity. Whoever changes what a document shows refreshes it in the
 * same transaction: ingest (ingest/read-models.ts) and the tag endpoints.
 */

interface Kind {
  table: SQL;
  key: SQL;
  /** The entity table, as `alias` for the builder. */
  source: SQL;
  alias: SQL;
  /**
   * The document and its node, built from the entity row (`alias`) and, as the document may reuse parts of
   * it, the stored one (`prev`): a one-row subquery of the columns `document` and `node`.
   */
  build: (changedRuns?: readonly string[]) => SQL;
}

const KINDS = {
  job: {
    table: sql`job_documents`,
    key: sql`job_id`,
    source: sql`jobs j`,
    alias: sql`j`,
    build: (changedRuns) =>
      jobDocument('j', changedRuns && { previous: sql`prev.document->'latestRuns'`, changed: uuidArray([...new Set(changedRuns)].sort()) }),
  },
  dataset: {
    table: sql`dataset_documents`,
    key: sql`dataset_id`,
    source: sql`datasets d`,
    alias: sql`d`,
    build: () => datasetDocument('d'),
  },
} satisfies Record<string, Kind>;

export interface Touched {
  jobs?: readonly string[];
  datasets?: readonly string[];
  /**
   * When given, the only runs whose Marquez Run may have changed since the stored documents were built:
   * the jobs' documents keep their other latest runs as they are. A run's JSON is made of its own rows
   * (written by its own events) and of the dataset versions it may have read, so ingest knows them: the
   * runs of the batch and the readers of the versions it wrote. Absent, every run is built again.
   */
  changedRuns?: readonly string[];
}

/**
 * Builds the documents of the given jobs and datasets again from what the transaction sees.
 *
 * A document is built from rows other transactions write too (a dataset version another run wrote, a
 * tag), so two transactions may build the same document at once, each from a snapshot lacking what the
 * other wrote; the last to write would keep its stale build. So each document row is locked first (its
 * row inserted if new, in key order: no two transactions wait for each other in a cycle, documents being
 * the last rows a transaction locks), and built in the next statement, whose snapshot, taken once the
 * locks are held, sees everything committed by whoever held them before. Rows are written only when their
 * text changed.
 */
export async function refreshDocuments(query: Query, touched: Touched) {
  const work: Promise<unknown>[] = [];
  for (const [kind, list] of [
    [KINDS.job, touched.jobs ?? []],
    [KINDS.dataset, touched.datasets ?? []],
  ] as const) {
    if (list.length === 0) continue;
    const ids = uuidArray([...new Set(list)].sort());
    const alias = kind.alias;
    // Issued without waiting (pipelined): the server runs them in order.
    work.push(
      query(sql`insert into ${kind.table} (${kind.key}, document, node)
        select ${alias}.id, 'null'::json, 'null'::json from ${kind.source} where ${alias}.id = any(${ids}) order by ${alias}.id
        on conflict (${kind.key}) do update set node = excluded.node where false`),
      // Materialized: a subquery would be pulled up, and its document built again for each of the many
      // places the statement reads it.
      query(sql`with x as materialized (select ${alias}.id, b.document, b.node
          from ${kind.source} join ${kind.table} prev on prev.${kind.key} = ${alias}.id
          cross join lateral ${kind.build(touched.changedRuns)} b where ${alias}.id = any(${ids}))
        update ${kind.table} t set document = x.document, node = x.node
        from x where t.${kind.key} = x.id and t.document::text is distinct from x.document::text`),
    );
  }
  await Promise.all(work);
}

/** Entities built per transaction when documents are built for existing rows. */
const BUILD_BATCH = 2000;

/**
 * Builds the documents that are missing (rows stored before the read models existed, or by an older
 * version), in batches of their own transactions. Nothing to do, the usual case, costs two index scans.
 */
export async function buildMissingDocuments(db: Db): Promise<number> {
  let built = 0;
  for (const [kind, missing] of [
    ['jobs', sql`select j.id from jobs j where not exists (select 1 from job_documents x where x.job_id = j.id)`],
    ['datasets', sql`select d.id from datasets d where not exists (select 1 from dataset_documents x where x.dataset_id = d.id)`],
  ] as const) {
    for (;;) {
      const ids = (await select<{ id: string }>(db, sql`${missing} order by 1 limit ${BUILD_BATCH}`)).map((r) => r.id);
      if (ids.length === 0) break;
      await db.transaction((query) => refreshDocuments(query, { [kind]: ids }));
      built += ids.length;
    }
  }
  return built;
}
