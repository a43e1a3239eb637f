import { type SQL, sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import { UUID } from '../core/uuid';
import type { Db } from '../db/client';
import { iso, select, selectByKey, textArray } from '../db/sql';
import { ids } from '../ids';
import { hiddenCount, notHidden } from './hidden';
import { jobVersionJson, OL_STATES, runJson, runState } from './json';
import { missing, ownedPage } from './owned';
import { type Page, type PageRow, pageBody, pageRows } from './page';

type Json = Record<string, unknown>;

export const RUN_STATES = ['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'ABORTED'] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * Jobs, most recently updated first (Marquez's order), in one namespace or all (the web UI's dashboard).
 * `lastRunStates` keeps jobs whose latest run is in one of the states; `totalCount` counts the filtered
 * set (Marquez ignores the filter there, which makes its pages lie).
 */
export async function listJobs(db: Db, filter: { namespace?: string; lastRunStates: RunState[] }, page: Page) {
  const where: SQL[] = [notHidden('j.id')];
  const namespaceId = filter.namespace === undefined ? undefined : ids.namespace(filter.namespace);
  if (namespaceId !== undefined) where.push(sql`j.namespace_id = ${namespaceId}`);
  if (filter.lastRunStates.length) {
    const states = filter.lastRunStates.flatMap((s) => OL_STATES[s]!);
    const isNew = filter.lastRunStates.includes('NEW');
    where.push(sql`(
      select (lr.state is null and ${isNew}) or lr.state = any(${textArray(states)})
      from runs lr where lr.job_id = j.id order by lr.created_at desc, lr.id desc limit 1) is not false`);
  }
  const filtered = sql`where ${sql.join(where, sql` and `)}`;
  const after = page.after ? sql`and (j.updated_at, j.id) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)` : sql``;
  // Without a state filter the count is kept per namespace (namespace_counts): counting is the slow part.
  const total = filter.lastRunStates.length
    ? sql`select count(*)::int from jobs j ${filtered}`
    : sql`select (coalesce(sum(c.jobs), 0) - ${hiddenCount('job', namespaceId)})::int from namespace_counts c${
        namespaceId !== undefined ? sql` where c.namespace_id = ${namespaceId}` : sql``
      }`;
  // The page's keys and documents (the read model) in one statement, planned for this filter and offset, a
  // row per job (see PageRow). The documents are spliced into the answer as the text they are stored as,
  // never parsed here.
  const rows = await pageRows<PageRow>(
    db,
    sql`select t.total, p.key, p.doc from (select (${total}) as total) t
      left join lateral (
        select json_build_array(p.updated_at::text, p.id) as key, x.document::text as doc, p.updated_at, p.id
        from (select j.id, j.updated_at from jobs j ${filtered} ${after} order by j.updated_at desc, j.id desc
              limit ${page.limit} offset ${page.offset}) p
        join job_documents x on x.job_id = p.id) p on true
      order by p.updated_at desc, p.id desc`,
  );
  return pageBody('jobs', rows, page);
}

export async function getJob(db: Db, namespace: string, name: string): Promise<Json> {
  const [row] = await selectByKey<{ json: Json }>(
    db,
    sql`select x.document as json from job_documents x where x.job_id = ${ids.job(namespace, name)} and ${notHidden('x.job_id')}`,
  );
  if (!row) throw await missing(db, namespace, 'Job', name);
  return row.json;
}

export async function listJobVersions(db: Db, namespace: string, name: string, page: Page) {
  const id = ids.job(namespace, name);
  const row = await ownedPage(db, {
    exists: sql`select 1 from jobs j where j.id = ${id} and ${notHidden('j.id')}`,
    total: sql`select count(*) from job_versions where job_id = ${id}`,
    items: sql`select json_agg(${jobVersionJson('v', 'j')} order by v.created_at desc, v.id desc)
        from (select * from job_versions where job_id = ${id} order by created_at desc, id desc
              limit ${page.limit} offset ${page.offset}) v join jobs j on j.id = v.job_id`,
  });
  if (!row.found) throw await missing(db, namespace, 'Job', name);
  return { totalCount: row.total, versions: row.items };
}

export async function getJobVersion(db: Db, namespace: string, name: string, version: string): Promise<Json> {
  const id = ids.job(namespace, name);
  if (!UUID.test(version)) throw notFound(`Job version '${version}' not found.`);
  const [row] = await select<{ json: Json }>(
    db,
    sql`select ${jobVersionJson('v', 'j')} as json from job_versions v join jobs j on j.id = v.job_id
      where v.job_id = ${id} and ${notHidden('j.id')} and (v.version = ${version.toLowerCase()}::uuid or v.id = ${version.toLowerCase()}::uuid) limit 1`,
  );
  if (!row) {
    await getJob(db, namespace, name);
    throw notFound(`Job version '${version}' not found.`);
  }
  return row.json;
}

export async function listRuns(db: Db, namespace: string, name: string, page: Page) {
  const id = ids.job(namespace, name);
  const row = await ownedPage(db, {
    exists: sql`select 1 from jobs j where j.id = ${id} and ${notHidden('j.id')}`,
    total: sql`select count(*) from runs where job_id = ${id}`,
    items: sql`select json_agg(${runJson('r')} order by r.created_at desc, r.id desc)
        from (select * from runs where job_id = ${id} order by created_at desc, id desc
              limit ${page.limit} offset ${page.offset}) r`,
  });
  if (!row.found) throw await missing(db, namespace, 'Job', name);
  return { runs: row.items, totalCount: row.total };
}

export async function getRun(db: Db, runId: string): Promise<Json> {
  if (!UUID.test(runId)) throw notFound(`Run '${runId}' not found.`);
  const [row] = await select<{ json: Json }>(db, sql`select ${runJson('r')} as json from runs r where r.id = ${runId.toLowerCase()}::uuid`);
  if (!row) throw notFound(`Run '${runId}' not found.`);
  return row.json;
}

/** The run facets, or the job facets the run sent, as `{runId, facets}`. */
export async function getRunFacets(db: Db, runId: string, type: 'run' | 'job'): Promise<Json> {
  if (!UUID.test(runId)) throw notFound(`Run '${runId}' not found.`);
  const id = runId.toLowerCase();
  const kind = type === 'run' ? 'run' : 'run_job';
  const [row] = await select<{ found: boolean; facets: Json }>(
    db,
    sql`select exists (select 1 from runs where id = ${id}::uuid) as found,
      coalesce((select json_object_agg(f.name, f.value order by f.name) from facet_rows f
        where f.run_id = ${id}::uuid and f.owner_kind = ${kind}), '{}'::json) as facets`,
  );
  if (!row?.found) throw notFound(`Run '${runId}' not found.`);
  return { runId: id, facets: row.facets };
}

/**
 * Pedigree extension: the runs whose parent run facet names `runId` (an Airflow DAG run's task runs, a
 * Spark application's queries), in the order they started, each with its job. The parent needs no events
 * of its own: a run known only as the parent of others has children and no Run.
 */
export async function listChildRuns(db: Db, runId: string, page: Page) {
  if (!UUID.test(runId)) throw notFound(`Run '${runId}' not found.`);
  const id = runId.toLowerCase();
  const row = await ownedPage(db, {
    exists: sql`select 1 from runs where id = ${id}::uuid union all select 1 from runs where parent_run_id = ${id}::uuid`,
    total: sql`select count(*) from runs where parent_run_id = ${id}::uuid`,
    items: sql`select json_agg(json_build_object(
        'id', c.id,
        'state', ${runState(sql`c.state`)},
        'createdAt', ${iso(sql`c.created_at`)},
        'startedAt', ${iso(sql`c.started_at`)},
        'endedAt', ${iso(sql`c.ended_at`)},
        'durationMs', (extract(epoch from c.ended_at - c.started_at) * 1000)::bigint,
        'job', json_build_object('namespace', c.namespace, 'name', c.job_name))
        order by coalesce(c.started_at, c.created_at), c.id)
      from (select * from runs where parent_run_id = ${id}::uuid
            order by coalesce(started_at, created_at), id limit ${page.limit} offset ${page.offset}) c`,
  });
  if (!row.found) throw notFound(`Run '${runId}' not found.`);
  return { totalCount: row.total, runs: row.items };
}
