import { type SQL, sql } from 'drizzle-orm';
import { iso, textArray } from '../db/sql';

/**
 * Marquez's response shapes, built by Postgres as JSON from a row alias, so that a listing, a node of the
 * lineage graph or a single entity is one statement whatever it nests (no N+1 queries). Every field
 * Marquez has is present, null when unknown: the web UI dereferences them without guards.
 * `json_build_object` (not jsonb) keeps the field order and is cheaper to render.
 */

const raw = (alias: string) => sql.raw(alias);

/** The latest value of a facet of an owner, as jsonb (null when absent). */
const facet = (ownerId: SQL, name: string) => sql`(select f.value from facet_rows f where f.owner_id = ${ownerId} and f.name = ${name})`;

/**
 * `body` evaluated once with `<alias>.fs`: the named facets of an owner as one jsonb object, read in one
 * index range scan (a lookup per facet costs a descent each, and a graph builds hundreds of nodes).
 */
const withFacets = (ownerId: SQL, names: string[], alias: string, body: SQL) =>
  sql`(select ${body} from (select jsonb_object_agg(f.name, f.value) as fs from facet_rows f
    where f.owner_id = ${ownerId} and f.name = any(${textArray(names)})) ${raw(alias)})`;
const facetIn = (alias: string, name: string) => sql`${raw(alias)}.fs->${name}`;

/** All the facets of an owner as one object (`{}` when none). */
export const facetsOf = (ownerId: SQL) =>
  sql`coalesce((select json_object_agg(f.name, f.value order by f.name) from facet_rows f where f.owner_id = ${ownerId}), '{}'::json)`;

/** OpenLineage run states in Marquez's words; a run no state event reached yet is NEW. */
export const runState = (state: SQL) =>
  sql`case ${state} when 'START' then 'RUNNING' when 'RUNNING' then 'RUNNING' when 'COMPLETE' then 'COMPLETED'
    when 'FAIL' then 'FAILED' when 'ABORT' then 'ABORTED' else 'NEW' end`;

/** Marquez states back to the OpenLineage states stored (for `lastRunStates=` filters). */
export const OL_STATES: Record<string, string[]> = {
  NEW: [],
  RUNNING: ['START', 'RUNNING'],
  COMPLETED: ['COMPLETE'],
  FAILED: ['FAIL'],
  ABORTED: ['ABORT'],
};

/**
 * The dataset version a run read: the one its input named (dataset-version facet), else the latest one
 * written before the run started (what it could have read), else none.
 */
export const inputVersionId = (io: string, run: string) => {
  const [i, r] = [raw(io), raw(run)];
  return sql`coalesce(
    (select v.id from dataset_versions v where ${i}.version_key is not null and v.version_key = ${i}.version_key
      order by v.created_at desc limit 1),
    (select v.id from dataset_versions v where v.dataset_id = ${i}.dataset_id
      and v.created_at <= coalesce(${r}.started_at, ${r}.created_at) and (v.run_id is null or v.run_id <> ${r}.id)
      order by v.created_at desc limit 1))`;
};

const datasetVersionRef = (version: SQL) => sql`json_build_object('namespace', d.namespace, 'name', d.name, 'version', ${version})`;

/**
 * Marquez's Run (also the `latestRun` of jobs and the `createdByRun` of dataset versions). Each dataset it read
 * or wrote also says, as `datasetVersion`, the version its producer named (a dataset-version facet), which
 * `datasetVersionId.version` cannot when no stored version is that one (nothing here wrote it).
 */
export function runJson(alias: string): SQL {
  const r = raw(alias);
  const io = (direction: 'in' | 'out') => {
    const version = direction === 'in' ? inputVersionId('io', alias) : sql`io.dataset_version_id`;
    const facetOwner = sql`io.id`;
    return sql`coalesce((
      select json_agg(json_build_object('datasetVersionId', ${datasetVersionRef(version)}, 'facets', ${facetsOf(facetOwner)},
          'datasetVersion', io.version)
        order by d.namespace, d.name)
      from run_io io join datasets d on d.id = io.dataset_id
      where io.run_id = ${r}.id and io.direction = ${direction}), '[]'::json)`;
  };
  // The run's facets are read once: returned whole, and the nominal times taken from them.
  const facets = raw(`rf_${alias}`);
  return sql`(select json_build_object(
    'id', ${r}.id,
    'createdAt', ${iso(sql`${r}.created_at`)},
    'updatedAt', ${iso(sql`${r}.updated_at`)},
    'nominalStartTime', ${facets}.fs->'nominalTime'->>'nominalStartTime',
    'nominalEndTime', ${facets}.fs->'nominalTime'->>'nominalEndTime',
    'state', ${runState(sql`${r}.state`)},
    'startedAt', ${iso(sql`${r}.started_at`)},
    'endedAt', ${iso(sql`${r}.ended_at`)},
    'durationMs', (extract(epoch from ${r}.ended_at - ${r}.started_at) * 1000)::bigint,
    'args', '{}'::json,
    'jobVersion', (select json_build_object('namespace', ${r}.namespace, 'name', ${r}.job_name, 'version', jv.version)
      from job_versions jv where jv.id = ${r}.job_version_id),
    'inputDatasetVersions', ${io('in')},
    'outputDatasetVersions', ${io('out')},
    'context', '{}'::json,
    'facets', coalesce(${facets}.fs, '{}'::json))
    from (select json_object_agg(f.name, f.value order by f.name) as fs from facet_rows f where f.owner_id = ${r}.id) ${facets})`;
}

/**
 * A dataset's fields from its latest schema facet, top-level ones with their type and description, and the
 * tags set on each through the API.
 */
const fieldsJson = (datasetId: SQL, schema: SQL) => sql`coalesce((
    select json_agg(json_build_object(
      'name', f.value->>'name',
      'type', f.value->>'type',
      'tags', coalesce((select json_agg(t.tag order by t.tag) from dataset_field_tags t
        where t.dataset_id = ${datasetId} and t.field = f.value->>'name'), '[]'::json),
      'description', f.value->>'description') order by f.ord)
    from (select ${schema}->'fields' as list) s
    cross join lateral jsonb_array_elements(case when jsonb_typeof(s.list) = 'array' then s.list else '[]' end)
      with ordinality f(value, ord)
    where jsonb_typeof(f.value) = 'object' and f.value ? 'name'), '[]'::json)`;

const datasetTagsJson = (datasetId: SQL) =>
  sql`coalesce((select json_agg(t.tag order by t.tag) from dataset_tags t where t.dataset_id = ${datasetId}), '[]'::json)`;

/** The dataset's latest version (by the time it was written). */
export const currentVersionId = (datasetId: SQL) =>
  sql`(select v.id from dataset_versions v where v.dataset_id = ${datasetId} order by v.created_at desc, v.id desc limit 1)`;

/** Column lineage of a dataset as Marquez nests it in Dataset.columnLineage (null when it has none). */
const columnLineageJson = (datasetId: SQL) => sql`(
    select json_agg(json_build_object(
      'name', c.output_field,
      'inputFields', c.inputs,
      'transformationDescription', c.inputs->0->>'transformationDescription',
      'transformationType', c.inputs->0->>'transformationType') order by c.output_field)
    from (
      select cl.output_field, json_agg(json_build_object(
        'namespace', src.namespace, 'dataset', src.name, 'field', cl.input_field,
        'transformationDescription', cl.transformations->0->>'description',
        'transformationType', cl.transformations->0->>'type') order by src.namespace, src.name, cl.input_field) as inputs
      from column_lineage cl join datasets src on src.id = cl.input_dataset_id
      where cl.output_dataset_id = ${datasetId} and cl.output_field is not null and cl.input_field is not null
      group by cl.output_field) c)`;

/**
 * Marquez's Dataset. `graph` is the lighter DatasetData of a lineage node: no facets, current version,
 * column lineage or deleted flag.
 */
export function datasetJson(alias: string, mode: 'full' | 'graph' = 'full'): SQL {
  const d = raw(alias);
  const id = sql`${d}.id`;
  const fs = `df_${alias}`;
  const lifecycle = sql`${facetIn(fs, 'lifecycleStateChange')}->>'lifecycleStateChange'`;
  const common = sql`
    'id', json_build_object('namespace', ${d}.namespace, 'name', ${d}.name),
    'type', 'DB_TABLE',
    'name', ${d}.name,
    'physicalName', ${d}.name,
    'createdAt', ${iso(sql`${d}.created_at`)},
    'updatedAt', ${iso(sql`${d}.updated_at`)},
    'namespace', ${d}.namespace,
    'sourceName', coalesce(${facetIn(fs, 'dataSource')}->>'name', 'default'),
    'fields', ${fieldsJson(id, facetIn(fs, 'schema'))},
    'tags', ${datasetTagsJson(id)},
    'lastModifiedAt', ${iso(sql`${d}.last_modified_at`)},
    'lastLifecycleState', coalesce(${lifecycle}, ''),
    'description', ${facetIn(fs, 'documentation')}->>'description'`;
  const body =
    mode === 'graph'
      ? sql`json_build_object(${common})`
      : sql`json_build_object(${common},
    'currentVersion', ${currentVersionId(id)},
    'columnLineage', ${columnLineageJson(id)},
    'facets', ${facetsOf(id)},
    'deleted', coalesce(${lifecycle} = 'DROP', false))`;
  return withFacets(id, ['lifecycleStateChange', 'dataSource', 'schema', 'documentation'], fs, body);
}

/** Marquez's DatasetVersion, from a dataset_versions alias `v` joined to its dataset `d`. */
export function datasetVersionJson(version: string, dataset: string): SQL {
  const [v, d] = [raw(version), raw(dataset)];
  const schema = sql`coalesce(${facet(sql`${v}.id`, 'schema')}, ${facet(sql`${d}.id`, 'schema')})`;
  return sql`json_build_object(
    'id', json_build_object('namespace', ${d}.namespace, 'name', ${d}.name, 'version', ${v}.id),
    'type', 'DB_TABLE',
    'name', ${d}.name,
    'physicalName', ${d}.name,
    'createdAt', ${iso(sql`${v}.created_at`)},
    'version', ${v}.id,
    'datasetVersion', ${v}.version,
    'namespace', ${d}.namespace,
    'sourceName', coalesce(${facet(sql`${v}.id`, 'dataSource')}->>'name', 'default'),
    'fields', ${fieldsJson(sql`${d}.id`, schema)},
    'tags', ${datasetTagsJson(sql`${d}.id`)},
    'lifecycleState', coalesce(${facet(sql`${v}.id`, 'lifecycleStateChange')}->>'lifecycleStateChange', ''),
    'description', ${facet(sql`${v}.id`, 'documentation')}->>'description',
    'createdByRun', (select ${runJson('cr')} from runs cr where cr.id = ${v}.run_id),
    'facets', ${facetsOf(sql`${v}.id`)})`;
}

/** A job's IO: its current version's, or every edge seen when it has no version. */
const jobIo = (job: SQL, direction: 'in' | 'out') => sql`coalesce((
    select json_agg(json_build_object('namespace', d.namespace, 'name', d.name) order by d.namespace, d.name)
    from (
      select v.dataset_id from job_version_io v where v.job_version_id = ${job}.current_version_id and v.direction = ${direction}
      union all
      select e.dataset_id from job_io e where ${job}.current_version_id is null and e.job_id = ${job}.id and e.direction = ${direction}
    ) x join datasets d on d.id = x.dataset_id
  ), '[]'::json)`;

/** How many of its latest runs a Job shows (latestRuns). */
export const LATEST_RUNS = 10;

/** The latest runs of a job: first event time, newest first. */
const latestRuns = (job: SQL, limit: number) =>
  sql`(select lr.* from runs lr where lr.job_id = ${job}.id order by lr.created_at desc, lr.id desc limit ${sql.raw(String(limit))})`;

/**
 * Runs whose Marquez Run is already built: `previous`, a JSON array of built runs (a stored document's
 * latestRuns), whose elements are taken as they are, except for the runs in `changed` (uuid[]), built again.
 */
export interface BuiltRuns {
  previous: SQL;
  changed: SQL;
}

/** A job's 10 latest runs as Marquez's Runs (`list`), newest first; with `built`, reusing those unchanged. */
function latestRunList(j: SQL, built?: BuiltRuns): SQL {
  const order = sql`order by lr.created_at desc, lr.id desc`;
  if (!built) return sql`(select json_agg(${runJson('lr')} ${order}) as list from ${latestRuns(j, LATEST_RUNS)} lr)`;
  // The previous list is split once per job (json_array_elements keeps each element's text as it is, so
  // a reused run is byte for byte what building it gives), then matched to the latest runs by id.
  // `changed` is cast once for the statement (a subquery of its own), not once per run compared, and the
  // previous list is taken out of its document once (`offset 0` keeps the planner from copying it back).
  return sql`(select json_agg(coalesce(case when not (lr.id = any((select ${built.changed})::uuid[])) then pr.run end, ${runJson('lr')}) ${order}) as list
    from ${latestRuns(j, LATEST_RUNS)} lr
    left join (select e as run, (e->>'id')::uuid as id from (select ${built.previous} as list offset 0) p,
      json_array_elements(case when json_typeof(p.list) = 'array' then p.list end) e) pr on pr.id = lr.id)`;
}

/**
 * Marquez's Job. `graph` is the lighter JobData of a lineage node (no facets, tags or latestRuns; inputs
 * and outputs, the job's edges in the graph, are added by the caller).
 * `simpleName` drops the parent job's name when the job's name starts with it (Airflow `dag.task`).
 * `built`: runs of latestRuns built before and unchanged since, reused instead of built again (a run's
 * JSON is most of a job's, and a job that gets one new run keeps nine).
 */
export function jobJson(alias: string, mode: 'full' | 'graph' = 'full', built?: BuiltRuns): SQL {
  const j = raw(alias);
  const id = sql`${j}.id`;
  const fs = `jf_${alias}`;
  const jobType = facetIn(fs, 'jobType');
  const parent = sql`(select pj.name from jobs pj where pj.id = ${j}.parent_job_id)`;
  const common = sql`
    'id', json_build_object('namespace', ${j}.namespace, 'name', ${j}.name),
    'type', case when upper(${jobType}->>'processingType') = 'STREAMING' then 'STREAM' else 'BATCH' end,
    'name', ${j}.name,
    'simpleName', case when ${parent} is not null and starts_with(${j}.name, ${parent} || '.')
      then substr(${j}.name, length(${parent}) + 2) else ${j}.name end,
    'parentJobName', ${parent},
    'parentJobUuid', ${j}.parent_job_id,
    'createdAt', ${iso(sql`${j}.created_at`)},
    'updatedAt', ${iso(sql`${j}.updated_at`)},
    'namespace', ${j}.namespace,${
      // A graph node's inputs and outputs are its edges in the graph: the caller fills them in.
      mode === 'graph'
        ? sql``
        : sql`
    'inputs', ${jobIo(j, 'in')},
    'outputs', ${jobIo(j, 'out')},`
    }
    'location', ${facetIn(fs, 'sourceCodeLocation')}->>'url',
    'description', ${facetIn(fs, 'documentation')}->>'description'`;
  // The full Job's latestRun is the first of its latestRuns, built once.
  const runs = raw(`lr_${alias}`);
  const body =
    mode === 'graph'
      ? sql`json_build_object(${common},
    'latestRun', (select ${runJson('lr')} from ${latestRuns(j, 1)} lr),
    'currentRunUuid', (select lr.id from ${latestRuns(j, 1)} lr))`
      : sql`(select json_build_object(${common},
    'latestRun', ${runs}.list->0,
    'latestRuns', ${runs}.list,
    'facets', ${facetsOf(id)},
    'currentVersion', (select jv.version from job_versions jv where jv.id = ${j}.current_version_id),
    'labels', coalesce((select json_agg(l) from unnest(array[${jobType}->>'jobType', ${jobType}->>'integration']) l
      where l is not null), '[]'::json),
    'tags', coalesce((select json_agg(t.tag order by t.tag) from job_tags t where t.job_id = ${id}), '[]'::json))
    from ${latestRunList(j, built)} ${runs})`;
  return withFacets(id, ['jobType', 'sourceCodeLocation', 'documentation'], fs, body);
}

/** Marquez's JobVersion, from a job_versions alias and its job. */
export function jobVersionJson(version: string, job: string): SQL {
  const [v, j] = [raw(version), raw(job)];
  const io = (direction: 'in' | 'out') => sql`coalesce((
    select json_agg(json_build_object('namespace', d.namespace, 'name', d.name) order by d.namespace, d.name)
    from job_version_io x join datasets d on d.id = x.dataset_id
    where x.job_version_id = ${v}.id and x.direction = ${direction}), '[]'::json)`;
  const latest = sql`(select lr.* from runs lr where lr.job_version_id = ${v}.id order by lr.created_at desc, lr.id desc limit 1)`;
  return sql`json_build_object(
    'id', json_build_object('namespace', ${j}.namespace, 'name', ${j}.name, 'version', ${v}.version),
    'name', ${j}.name,
    'createdAt', ${iso(sql`${v}.created_at`)},
    'version', ${v}.version,
    'namespace', ${j}.namespace,
    'location', (select f.value->>'url' from ${latest} lr join facet_rows f on f.run_id = lr.id
      and f.owner_kind = 'run_job' and f.name = 'sourceCodeLocation'),
    'inputs', ${io('in')},
    'outputs', ${io('out')},
    'latestRun', (select ${runJson('lr')} from ${latest} lr))`;
}
