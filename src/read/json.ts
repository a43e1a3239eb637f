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

const facetIn = (alias: string, name: string) => sql`${raw(alias)}.fs->${name}`;
/**
 * The named facets of an owner as a FROM item `alias`: one row, whose `fs` is them as one jsonb object
 * (facetIn), read in one index range scan (a lookup per facet costs a descent each).
 */
const facetsFrom = (ownerId: SQL, names: string[], alias: string) =>
  sql`(select jsonb_object_agg(f.name, f.value) as fs from facet_rows f
    where f.owner_id = ${ownerId} and f.name = any(${textArray(names)})) ${raw(alias)}`;

/** An object's members in order: a key (a constant of this file, written into the text) and its value. */
type Members = [key: string, value: SQL][];
const object = (members: Members) =>
  sql`json_build_object(${sql.join(
    members.map(([key, value]) => sql`${sql.raw(`'${key}'`)}, ${value}`),
    sql`, `,
  )})`;

/**
 * A read model's document and its lineage node's data (src/read/documents.ts), as the columns `document`
 * and `node` of a one-row subquery over `from`. The node is some of the document's members, in the
 * document's order (given by key), and members of its own: every value is computed once, as a column both
 * objects take, so a member's text is the same in both and the node costs no parse of the document (a job's
 * is tens of KB: picking its members out of the text cost a quarter of building it).
 */
function documentAndNode(members: Members, nodeKeys: (string | [key: string, value: SQL])[], from: SQL): SQL {
  const columns = [...members, ...nodeKeys.filter((k) => typeof k !== 'string')];
  const column = new Map(columns.map(([key], i) => [key, sql.raw(`dm.c${i}`)]));
  const take = (key: string): [string, SQL] => [key, column.get(key)!];
  // `offset 0` keeps the columns computed once: pulled up, each would be written into both objects.
  return sql`(select ${object(members.map(([key]) => take(key)))} as document,
    ${object(nodeKeys.map((k) => take(typeof k === 'string' ? k : k[0])))} as node
    from (select ${sql.join(
      columns.map(([, value], i) => sql`${value} as ${sql.raw(`c${i}`)}`),
      sql`, `,
    )} from ${from} offset 0) dm)`;
}

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

/** A dataset's members (datasetJson): those of a lineage node (DatasetData), then the full Dataset's. */
function datasetMembers(alias: string): { node: Members; full: Members; from: SQL } {
  const d = raw(alias);
  const id = sql`${d}.id`;
  const fs = `df_${alias}`;
  const lifecycle = sql`${facetIn(fs, 'lifecycleStateChange')}->>'lifecycleStateChange'`;
  const node: Members = [
    ['id', sql`json_build_object('namespace', ${d}.namespace, 'name', ${d}.name)`],
    ['type', sql`'DB_TABLE'`],
    ['name', sql`${d}.name`],
    ['physicalName', sql`${d}.name`],
    ['createdAt', iso(sql`${d}.created_at`)],
    ['updatedAt', iso(sql`${d}.updated_at`)],
    ['namespace', sql`${d}.namespace`],
    ['sourceName', sql`coalesce(${facetIn(fs, 'dataSource')}->>'name', 'default')`],
    ['fields', fieldsJson(id, facetIn(fs, 'schema'))],
    ['tags', datasetTagsJson(id)],
    ['lastModifiedAt', iso(sql`${d}.last_modified_at`)],
    ['lastLifecycleState', sql`coalesce(${lifecycle}, '')`],
    ['description', sql`${facetIn(fs, 'documentation')}->>'description'`],
  ];
  const full: Members = [
    ...node,
    ['currentVersion', currentVersionId(id)],
    ['columnLineage', columnLineageJson(id)],
    ['facets', facetsOf(id)],
    ['deleted', sql`coalesce(${lifecycle} = 'DROP', false)`],
  ];
  return { node, full, from: facetsFrom(id, ['lifecycleStateChange', 'dataSource', 'schema', 'documentation'], fs) };
}

/**
 * Marquez's Dataset. `graph` is the lighter DatasetData of a lineage node: no facets, current version,
 * column lineage or deleted flag.
 */
export function datasetJson(alias: string, mode: 'full' | 'graph' = 'full'): SQL {
  const m = datasetMembers(alias);
  return sql`(select ${object(mode === 'graph' ? m.node : m.full)} from ${m.from})`;
}

/** A dataset's document and node (documentAndNode): its full Dataset and its DatasetData. */
export function datasetDocument(alias: string): SQL {
  const m = datasetMembers(alias);
  return documentAndNode(
    m.full,
    m.node.map(([key]) => key),
    m.from,
  );
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

/**
 * A job's 10 latest runs as Marquez's Runs (`list`), newest first, the first of them (`first`) and its id
 * (`first_id`); with `built`, reusing those unchanged. Each run is built once (`offset 0`), whichever of
 * the three takes it.
 */
function latestRunList(j: SQL, built?: BuiltRuns): SQL {
  const order = sql`order by x.created_at desc, x.id desc`;
  const lists = (runs: SQL) => sql`(select json_agg(x.run ${order}) as list, (array_agg(x.run ${order}))[1] as first,
    (array_agg(x.id ${order}))[1] as first_id from (${runs} offset 0) x)`;
  if (!built) return lists(sql`select lr.created_at, lr.id, ${runJson('lr')} as run from ${latestRuns(j, LATEST_RUNS)} lr`);
  // The previous list is split once per job (json_array_elements keeps each element's text as it is, so
  // a reused run is byte for byte what building it gives), then matched to the latest runs by id.
  // `changed` is cast once for the statement (a subquery of its own), not once per run compared, and the
  // previous list is taken out of its document once (`offset 0` keeps the planner from copying it back).
  return lists(sql`select lr.created_at, lr.id,
      coalesce(case when not (lr.id = any((select ${built.changed})::uuid[])) then pr.run end, ${runJson('lr')}) as run
    from ${latestRuns(j, LATEST_RUNS)} lr
    left join (select e as run, (e->>'id')::uuid as id from (select ${built.previous} as list offset 0) p,
      json_array_elements(case when json_typeof(p.list) = 'array' then p.list end) e) pr on pr.id = lr.id`);
}

/**
 * A job's members (jobJson): `common` those of both a lineage node (JobData) and the full Job, `full` the
 * full Job's, in order (with its inputs and outputs: a node's are its edges in the graph, which the caller
 * fills in). `base` is what every member reads (the job's facets and its parent's name), `from` that and the
 * job's latest runs (latestRunList, as `runs`), which only `full`'s members read. `simpleName` drops the
 * parent job's name when the job's name starts with it (Airflow `dag.task`).
 */
function jobMembers(alias: string, built?: BuiltRuns) {
  const j = raw(alias);
  const id = sql`${j}.id`;
  const fs = `jf_${alias}`;
  const jobType = facetIn(fs, 'jobType');
  const parent = sql`${raw(`jp_${alias}`)}.name`;
  const runs = raw(`lr_${alias}`);
  const head: Members = [
    ['id', sql`json_build_object('namespace', ${j}.namespace, 'name', ${j}.name)`],
    ['type', sql`case when upper(${jobType}->>'processingType') = 'STREAMING' then 'STREAM' else 'BATCH' end`],
    ['name', sql`${j}.name`],
    [
      'simpleName',
      sql`case when ${parent} is not null and starts_with(${j}.name, ${parent} || '.')
      then substr(${j}.name, length(${parent}) + 2) else ${j}.name end`,
    ],
    ['parentJobName', parent],
    ['parentJobUuid', sql`${j}.parent_job_id`],
    ['createdAt', iso(sql`${j}.created_at`)],
    ['updatedAt', iso(sql`${j}.updated_at`)],
    ['namespace', sql`${j}.namespace`],
  ];
  const io: Members = [
    ['inputs', jobIo(j, 'in')],
    ['outputs', jobIo(j, 'out')],
  ];
  const tail: Members = [
    ['location', sql`${facetIn(fs, 'sourceCodeLocation')}->>'url'`],
    ['description', sql`${facetIn(fs, 'documentation')}->>'description'`],
  ];
  const full: Members = [
    ...head,
    ...io,
    ...tail,
    ['latestRun', sql`${runs}.first`],
    ['latestRuns', sql`${runs}.list`],
    ['facets', facetsOf(id)],
    ['currentVersion', sql`(select jv.version from job_versions jv where jv.id = ${j}.current_version_id)`],
    [
      'labels',
      sql`coalesce((select json_agg(l) from unnest(array[${jobType}->>'jobType', ${jobType}->>'integration']) l
      where l is not null), '[]'::json)`,
    ],
    ['tags', sql`coalesce((select json_agg(t.tag order by t.tag) from job_tags t where t.job_id = ${id}), '[]'::json)`],
  ];
  const base = sql`${facetsFrom(id, ['jobType', 'sourceCodeLocation', 'documentation'], fs)},
    (select (select pj.name from jobs pj where pj.id = ${j}.parent_job_id) as name) ${raw(`jp_${alias}`)}`;
  return { common: [...head, ...tail], full, base, from: sql`${base}, ${latestRunList(j, built)} ${runs}`, runs };
}

/**
 * Marquez's Job. `graph` is the lighter JobData of a lineage node (no facets, tags or latestRuns; inputs
 * and outputs, the job's edges in the graph, are added by the caller), its latest run built by itself.
 * `built`: runs of latestRuns built before and unchanged since, reused instead of built again (a run's
 * JSON is most of a job's, and a job that gets one new run keeps nine).
 */
export function jobJson(alias: string, mode: 'full' | 'graph' = 'full', built?: BuiltRuns): SQL {
  const m = jobMembers(alias, built);
  if (mode === 'full') return sql`(select ${object(m.full)} from ${m.from})`;
  const j = raw(alias);
  return sql`(select ${object([
    ...m.common,
    ['latestRun', sql`(select ${runJson('lr')} from ${latestRuns(j, 1)} lr)`],
    ['currentRunUuid', sql`(select lr.id from ${latestRuns(j, 1)} lr)`],
  ])} from ${m.base})`;
}

/**
 * A job's document and node (documentAndNode): its full Job, and its JobData with `currentRunUuid`, its
 * latest run's id.
 */
export function jobDocument(alias: string, built?: BuiltRuns): SQL {
  const m = jobMembers(alias, built);
  return documentAndNode(m.full, [...m.common.map(([key]) => key), 'latestRun', ['currentRunUuid', sql`${m.runs}.first_id`]], m.from);
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
