import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import { UUID } from '../core/uuid';
import type { Db } from '../db/client';
import { iso, select } from '../db/sql';
import { inputVersionId, runState } from './json';

/**
 * The runs upstream of a run: the run, the runs that produced the dataset versions it read, theirs, and
 * so on to `depth`, each once (UNION on the run). Marquez's `{runs: [{job, run, inputs}]}`, by depth then
 * job name. An input version nobody produced (read before any run we know wrote it) has a null
 * `producedByRunId` rather than failing the request.
 */
export async function upstreamRuns(db: Db, runId: string, depth: number) {
  // Marquez answers 404 to an id that is not a UUID: no run has it.
  if (!UUID.test(runId)) throw notFound(`Run '${runId}' not found.`);
  const [row] = await select<{ found: boolean; runs: unknown[] | null }>(
    db,
    sql`with recursive
    reads as not materialized (
      select io.run_id, io.dataset_id, ${inputVersionId('io', 'r')} as version_id
      from run_io io join runs r on r.id = io.run_id where io.direction = 'in'),
    up(run_id, depth) as (
      select ${runId}::uuid, 0
      union
      select v.run_id, u.depth + 1 from up u
      join reads i on i.run_id = u.run_id
      join dataset_versions v on v.id = i.version_id
      where v.run_id is not null and u.depth < ${depth}),
    firsts as (select run_id, min(depth) as depth from up group by run_id)
    select exists (select 1 from runs where id = ${runId}::uuid) as found,
      (select json_agg(json_build_object(
        'job', json_build_object('namespace', r.namespace, 'name', r.job_name,
          'version', (select jv.version from job_versions jv where jv.id = r.job_version_id)),
        'run', json_build_object('id', r.id, 'start', ${iso('r.started_at')}, 'end', ${iso('r.ended_at')},
          'status', ${runState(sql`r.state`)}),
        'inputs', coalesce((select json_agg(json_build_object('namespace', d.namespace, 'name', d.name,
            'version', i.version_id, 'producedByRunId', v.run_id) order by d.namespace, d.name)
          from reads i join datasets d on d.id = i.dataset_id left join dataset_versions v on v.id = i.version_id
          where i.run_id = r.id), '[]'::json))
        order by f.depth, r.job_name, r.id)
      from firsts f join runs r on r.id = f.run_id) as runs`,
  );
  if (!row?.found) throw notFound(`Run '${runId}' not found.`);
  return { runs: row.runs ?? [] };
}
