import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../src/db/client';
import { datasetJson, jobJson } from '../../src/read/json';

const TABLES: Record<string, string> = {
  lineage_events: 'id',
  namespaces: 'id',
  sources: 'id',
  datasets: 'id',
  dataset_versions: 'id',
  dataset_fields: 'id',
  dataset_symlinks: 'id',
  column_lineage: 'id',
  jobs: 'id',
  job_versions: 'id',
  job_version_io: 'job_version_id, direction, dataset_id',
  job_io: 'id',
  runs: 'id',
  run_io: 'id',
  facets: 'owner_id, name',
  job_documents: 'job_id',
  dataset_documents: 'dataset_id',
};

/**
 * Every stored row (minus the time of receipt), in key order: two equal snapshots taken through the same
 * driver are equal states.
 */
export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(TABLES)) {
    const list = await rows<Record<string, unknown>>(db.orm, sql.raw(`select * from ${table} order by ${key}`));
    out[table] = list.map((row) => {
      const { received_at: _receivedAt, ...rest } = row;
      return rest;
    });
  }
  return out;
}

export async function count(db: Db, table: string, where = 'true'): Promise<number> {
  const [r] = await rows<{ n: number | string }>(db.orm, sql.raw(`select count(*) as n from ${table} where ${where}`));
  return Number(r!.n);
}

/**
 * The jobs and datasets whose read models (src/read/documents.ts) are not what the builders make of the
 * stored rows now: missing, stale, or a node that is not the builders' `graph` mode. Empty when they are kept right.
 */
export async function staleDocuments(db: Db): Promise<string[]> {
  const list = await rows<{ id: string }>(
    db.orm,
    sql`select j.id from jobs j left join job_documents x on x.job_id = j.id
      where x.document::text is distinct from (${jobJson('j')})::text or x.node::text is distinct from (${jobJson('j', 'graph')})::text
    union all
    select d.id from datasets d left join dataset_documents x on x.dataset_id = d.id
      where x.document::text is distinct from (${datasetJson('d')})::text or x.node::text is distinct from (${datasetJson('d', 'graph')})::text
    union all
    select x.job_id from job_documents x where not exists (select 1 from jobs j where j.id = x.job_id)
    union all
    select x.dataset_id from dataset_documents x where not exists (select 1 from datasets d where d.id = x.dataset_id)`,
  );
  return list.map((r) => r.id);
}
