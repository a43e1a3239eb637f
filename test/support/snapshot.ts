import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../src/db/client';

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
