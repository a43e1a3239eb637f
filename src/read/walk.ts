import { type SQL, sql } from 'drizzle-orm';
import { uuidArray } from '../db/sql';
import { versionRun } from '../ingest/job-versions';
import { notHidden } from './hidden';

export type Direction = 'upstream' | 'downstream' | 'both';

export interface Walk {
  /** Jobs the walk starts from (a job node). */
  jobs: string[];
  /** Datasets the walk starts from: their producers (upstream) and consumers (downstream). */
  datasets: string[];
  /** Job hops beyond the first jobs; null walks the whole connected lineage. */
  depth: number | null;
  direction: Direction;
  /** The graph as it was at this time (canonical UTC), from the job versions then current. */
  asOf?: string;
}

/**
 * Whether the dataset edge `e` (a job_io row) is in the graph. Without `asOf`: the edges of the job's
 * current version (its latest finished run's IO, or its declared JobEvent IO), so an input the job stopped
 * reading goes away; a job without a version keeps every edge seen. Ingest keeps that in `job_io.current`
 * (indexed). With `asOf`: the edges that existed by then and, when the job had a versioned run by then,
 * are in that run's version (computed per edge: slower, and only asked for history).
 */
export function currentEdge(asOf: string | undefined, e = 'e'): SQL {
  const E = sql.raw(e);
  if (asOf === undefined) return sql`${E}.current`;
  const version = sql`(${versionRun(sql`${E}.job_id`, sql`r.job_version_id`, asOf)})`;
  // A job without a versioned run by then keeps every edge.
  return sql`(${E}.created_at <= ${asOf}::timestamptz and exists (
      select 1 from (select ${version} as id) ver
      where ver.id is null or exists (
        select 1 from job_version_io v
        where v.job_version_id = ver.id and v.direction = ${E}.direction and v.dataset_id = ${E}.dataset_id)))`;
}

/**
 * The datasets a dataset stands for: itself and its symlinks both ways (a Spark file path and the Hive
 * table over it are one node of the lineage). Duplicates are dropped by the walk's UNION.
 */
const aliases = (dataset: string) => {
  const d = sql.raw(dataset);
  return sql`(select ${d} as id
    union all select s.target_id from dataset_symlinks s where s.dataset_id = ${d}
    union all select s.dataset_id from dataset_symlinks s where s.target_id = ${d})`;
};

/**
 * The jobs one direction of the walk reaches, never through a hidden dataset or job (read/hidden.ts), as the CTE `walk_out` (downstream) or `walk_in` (upstream).
 * The recursion uses UNION, which drops rows already produced: a bounded walk keeps (job, depth), so a job
 * reached again (a cycle, a second path) is expanded at most once per depth; an unbounded walk keeps only
 * the job, so each job is expanded once and a cycle ends there. Either way it terminates.
 */
function reach(w: Walk, from: 'in' | 'out'): SQL {
  // Downstream: from a job's outputs to the jobs reading them. Upstream: from its inputs to their writers.
  const to = from === 'out' ? 'in' : 'out';
  const bounded = w.depth !== null;
  const name = sql.raw(`walk_${from}`);
  const first = sql`
    select unnest(${uuidArray(w.jobs)})${bounded ? sql`, 0` : sql``}
    union
    select e.job_id${bounded ? sql`, 0` : sql``}
    from unnest(${uuidArray(w.datasets)}) d(id)
    cross join lateral ${aliases('d.id')} a
    join job_io e on e.dataset_id = a.id and e.direction = ${to}
    where ${currentEdge(w.asOf)} and ${notHidden('e.job_id')}`;
  // A job's edges are probed by key for each job the walk reached: fenced (OFFSET 0), the lateral subquery
  // cannot be flattened into a join that the planner, blind to the worktable's size, hashes against the
  // whole edge table on every step (it did, on an analyzed store of 3,000 jobs: 96.6 ms against 14.6 fenced).
  const step = sql`
    select e2.job_id${bounded ? sql`, w.depth + 1` : sql``}
    from ${name} w
    cross join lateral (
      select e1.dataset_id from job_io e1
      where e1.job_id = w.job_id and e1.direction = ${from} and ${currentEdge(w.asOf, 'e1')} and ${notHidden('e1.dataset_id')}
      offset 0) e1
    cross join lateral ${aliases('e1.dataset_id')} a
    join job_io e2 on e2.dataset_id = a.id and e2.direction = ${to}
    where ${currentEdge(w.asOf, 'e2')} and ${notHidden('e2.job_id')}
      ${bounded ? sql`and w.depth < ${w.depth}` : sql``}`;
  return sql`${name}(${bounded ? sql`job_id, depth` : sql`job_id`}) as (${first} union ${step})`;
}

/**
 * `with recursive …, walk_jobs(job_id)`: every job of the requested lineage. Append a select that uses
 * `walk_jobs`.
 */
export function walkJobs(w: Walk): SQL {
  const parts: SQL[] = [];
  if (w.direction !== 'upstream') parts.push(reach(w, 'out'));
  if (w.direction !== 'downstream') parts.push(reach(w, 'in'));
  const union = [
    ...(w.direction !== 'upstream' ? [sql`select job_id from walk_out`] : []),
    ...(w.direction !== 'downstream' ? [sql`select job_id from walk_in`] : []),
  ];
  return sql`with recursive ${sql.join(parts, sql`, `)}, walk_jobs(job_id) as (${sql.join(union, sql` union `)})`;
}
