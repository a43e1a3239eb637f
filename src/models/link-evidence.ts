import { type SQL, sql } from 'drizzle-orm';
import { textArray } from '../db/sql';

/**
 * What links a model version to the OpenLineage runs (and dataset versions) it came from, strongest
 * evidence first; only explicit ids and artifact identity are confirmed without a human, heuristics are
 * candidates:
 *
 * | method                | evidence                                                              | confidence |
 * | run_id                | the version's run id (or a `runs:/` source) is a run's id; an MLflow  | 1.0        |
 * |                       | run id (32 hex digits) names the run of the same digits; a version    |            |
 * |                       | of an MLflow 3 logged model names the logged model's source run       |            |
 * | registry_run_id       | a run's tags (or mlflow) facet carries the version's run id           | 0.95       |
 * | artifact              | the version's source is a dataset a run wrote (confirmed if one run)  | 0.9        |
 * | dataset_version_tag   | `dataset_version = "orders_v2.1+users_v3.0"` names a dataset version  | 0.5        |
 * | model_source          | a `models:/<name>/<version>` source: that version's links, inherited  | × 0.95     |
 */

/** Tag keys on an OpenLineage run's tags facet that carry the registry's (MLflow's) run id. */
export const REGISTRY_RUN_ID_KEYS = ['mlflow.run_id', 'mlflow_run_id', 'registry_run_id'];

/** `models:/` sources followed to inherit links (a chain stops there, and so does a cycle). */
export const MAX_HOPS = 3;

/** The elements of a facet's `tags` array (none when it is not one). */
export const tagsOf = (facet: SQL) =>
  sql`jsonb_array_elements(case when jsonb_typeof(${facet}->'tags') = 'array' then ${facet}->'tags' else '[]' end)`;

/** The last segment of a dataset name (`public.orders` -> `orders`): how a dataset_version tag names it. */
export const segmentOf = (name: SQL) => sql`regexp_replace(${name}, '^.*[./]', '')`;

/**
 * src/ids.ts idOf in SQL, written out: the same as the pedigree_id function (migration 0004), whose call
 * costs more per statement than the hash itself in statements that run on every refresh.
 */
export const idSql = (kind: string, ...parts: SQL[]) => {
  const bytes = sql.join(
    [sql`convert_to(${kind}::text, 'UTF8')`, ...parts.map((p) => sql`convert_to(${p}, 'UTF8')`)],
    sql` || '\\x00'::bytea || `,
  );
  return sql`(select encode(set_byte(set_byte(h.d, 6, (get_byte(h.d, 6) & 15) | 128), 8, (get_byte(h.d, 8) & 63) | 128), 'hex')::uuid
    from (select substring(sha256(${bytes}) from 1 for 16) as d) h)`;
};

/** An MLflow run id (32 hex digits) as the UUID of its OpenLineage run (src/tracking/projection.ts); else null. */
const runUuidOfHex = (runId: SQL) => sql`(case when ${runId} ~ '^[0-9a-fA-F]{32}$' then ${runId}::uuid end)`;

/** The MLflow 3 logged model a version (alias `v`) registers: its model_id, else a `models:/m-…` source's. */
const loggedModelIdOf = (v: SQL) => sql`coalesce(${v}.model_id, lower(substring(${v}.source from '^models:/+(m-[0-9a-fA-F]{32})/*$')))`;

/**
 * The columns of the CTE `mv` (model_versions rows, alias `v`, joined with loggedModelOf(v) as `lm`) beside
 * the version's own: a version registered from an MLflow 3 logged model (`model_id`, or a `models:/m-…` source)
 * without a run id names the logged model's source run. `registry_run_id` is the MLflow run id the version
 * names, directly or so; `run_uuid` its OpenLineage run (the same digits), also for versions registered before
 * 32-digit ids were read as run UUIDs.
 */
export const mlflowVersionColumns = (v: SQL) => sql`coalesce(${v}.run_uuid, ${runUuidOfHex(sql`${v}.run_id`)},
    ${runUuidOfHex(sql`lm.source_run_id`)}) as run_uuid,
  coalesce(${v}.run_id, lm.source_run_id) as registry_run_id, lm.model_id as logged_model_id, lm.source_run_id as logged_model_run_id`;

/** The logged model a version (alias `v`) registers, as `lm` (left joined: most versions have none). */
export const loggedModelOf = (v: SQL) => sql`left join mlflow_logged_models lm on lm.model_id = ${loggedModelIdOf(v)}`;

/**
 * The versions registered from a logged model whose source run is among `runIds` (a text[] expression of MLflow
 * run ids): what a change of those runs' evidence may relink. An index probe per logged model found.
 */
export const versionsOfLoggedModelRuns = (runIds: SQL) => sql`
  select v.model_name, v.version from mlflow_logged_models lm
  join model_versions v on ${loggedModelIdOf(sql`v`)} = lm.model_id
  where lm.source_run_id = any(${runIds})`;

/** A tag part's dataset (the token of `orders_v2.1`) names `d`: its whole name, or its last segments. */
const namedBy = (token: SQL) => sql`(d.name = ${token} or d.name like '%.' || ${token} or d.name like '%/' || ${token})`;

/**
 * The CTEs that compute the links of the versions in the CTE `mv` (model_versions rows) from everything
 * stored: `computed` has one row per link (the strongest method per target, with its id); `tag_parts` the
 * dataset versions their tags name, `tag_candidates` the datasets that may be those (with what they
 * resolved to), and `training` the training runs, for what ingest must watch. Inherited links come from
 * the stored links of the source version, with its decisions (rejected ones are not inherited).
 */
export function evidenceCtes(): SQL {
  // What a run's tags (or mlflow) facet contains when it carries the version's run id: each is one probe
  // of the facet values' containment index, then of the facets that reference the values found (both
  // indexes cover tags and mlflow facets only, migration 0013).
  const registryIdProbes = sql.join(
    [
      ...REGISTRY_RUN_ID_KEYS.map(
        (key) => sql`jsonb_build_object('tags', jsonb_build_array(jsonb_build_object('key', ${key}::text, 'value', mv.registry_run_id)))`,
      ),
      sql`jsonb_build_object('run_id', mv.registry_run_id)`,
    ],
    sql`, `,
  );
  return sql`explicit as (
    select mv.model_name, mv.version, r.id as run_id from mv join runs r on r.id = mv.run_uuid),
  registry as (
    select distinct mv.model_name, mv.version, f.owner_id as run_id, f.name as facet from mv
    cross join lateral unnest(array[${registryIdProbes}]) as probe(value)
    join facet_values fv on fv.value @> probe.value and fv.name in ('tags', 'mlflow')
    join facets f on f.value_id = fv.id and f.name in ('tags', 'mlflow') and f.owner_kind = 'run'
    where mv.registry_run_id is not null),
  artifact as (
    select a.*, count(*) over (partition by a.model_name, a.version) as writers from (
      select distinct on (mv.model_name, mv.version, io.run_id) mv.model_name, mv.version, io.run_id, d.namespace, d.name from mv
      join run_io io on io.dataset_id = any(mv.source_dataset_ids) and io.direction = 'out'
      join datasets d on d.id = io.dataset_id
      order by mv.model_name, mv.version, io.run_id, d.name) a),
  training as (
    select model_name, version, run_id from explicit
    union select model_name, version, run_id from registry
    union select model_name, version, run_id from artifact),
  -- The seed practice of one compound tag (dataset_version = "orders_v2.1+users_v3.0"), on the version
  -- or on a training run's tags facet.
  tag_values as (
    select t.model_name, t.version, t.value from mv
    join model_version_tags t on t.model_name = mv.model_name and t.version = mv.version and t.key = 'dataset_version'
    union
    select tr.model_name, tr.version, e->>'value' from training tr
    join facet_rows f on f.owner_id = tr.run_id and f.name = 'tags' and f.owner_kind = 'run'
    cross join lateral ${tagsOf(sql`f.value`)} e
    where e->>'key' = 'dataset_version'),
  tag_parts as (
    select distinct tv.model_name, tv.version, m[1] as token, m[2] as wanted, tv.value as tag from tag_values tv
    cross join lateral regexp_split_to_table(tv.value, '[+,;]') part
    cross join lateral regexp_match(trim(part), '^(.+?)[_@:-]v?([0-9][A-Za-z0-9_.-]*)$') m
    where m is not null),
  -- A tag part names a dataset by its last name segments and a version: a version some run wrote, or one
  -- a run read by name (dataset-version facet). Searched among the training runs' inputs, everywhere only
  -- when no training run is known (a scan, and a rare case).
  tag_datasets as (
    select p.model_name, p.version, p.token, p.wanted, p.tag, d.id, d.namespace, d.name from tag_parts p
    join training tr on tr.model_name = p.model_name and tr.version = p.version
    join run_io io on io.run_id = tr.run_id and io.direction = 'in'
    join datasets d on d.id = io.dataset_id and ${namedBy(sql`p.token`)}
    union
    select p.model_name, p.version, p.token, p.wanted, p.tag, d.id, d.namespace, d.name from tag_parts p
    cross join lateral (select d.id, d.namespace, d.name from datasets d where ${namedBy(sql`p.token`)}) d
    where not exists (select 1 from training tr where tr.model_name = p.model_name and tr.version = p.version)),
  -- The version named is one some run wrote (the first writer, when several runs wrote the same version),
  -- else one a run read by name (without a row to point at). Either choice depends on what is stored,
  -- not on the order it arrived in (link-refresh.ts relies on it to refresh only what may change).
  tag_candidates as (
    select distinct on (t.model_name, t.version, t.id, t.wanted) t.model_name, t.version, t.token, t.wanted, t.tag, t.id, t.namespace, t.name,
      w.version as written_version, w.id as written_id, w.created_at as written_at, r.version as read_version
    from tag_datasets t
    left join lateral (
      select dv.version, dv.id, dv.created_at from dataset_versions dv
      where dv.version_key in (${idSql('version_key', sql`t.id::text`, sql`t.wanted`)}, ${idSql('version_key', sql`t.id::text`, sql`'v' || t.wanted`)})
      order by dv.created_at, dv.id limit 1) w on true
    left join lateral (
      select io.version from run_io io
      where w.id is null and io.dataset_id = t.id and io.direction = 'in' and io.version in (t.wanted, 'v' || t.wanted)
      order by io.version limit 1) r on true
    order by t.model_name, t.version, t.id, t.wanted),
  tagged as (
    select c.model_name, c.version, c.token, c.wanted, c.tag, c.namespace, c.name,
      coalesce(c.written_version, c.read_version) as dataset_version, c.written_id as version_id
    from tag_candidates c where c.written_id is not null or c.read_version is not null),
  own as (
    select e.model_name, e.version, 'run' as kind, 'run_id' as method, 1.0::float8 as confidence, 'confirmed' as status, e.run_id,
      null::text as dataset_namespace, null::text as dataset_name, null::text as dataset_version, null::uuid as dataset_version_id,
      jsonb_build_object('runId', mv.run_id, 'source', mv.source) || case when mv.logged_model_id is null then '{}'::jsonb
        else jsonb_build_object('modelId', mv.logged_model_id, 'modelSourceRunId', mv.logged_model_run_id) end as evidence, 0 as rank
    from explicit e join mv using (model_name, version)
    union all
    select r.model_name, r.version, 'run', 'registry_run_id', 0.95, 'confirmed', r.run_id, null, null, null, null,
      jsonb_build_object('registryRunId', mv.registry_run_id, 'facet', r.facet), 1
    from registry r join mv using (model_name, version)
    union all
    select a.model_name, a.version, 'run', 'artifact', 0.9, case when a.writers = 1 then 'confirmed' else 'candidate' end, a.run_id,
      null, null, null, null,
      jsonb_build_object('source', mv.source, 'output', jsonb_build_object('namespace', a.namespace, 'name', a.name), 'writers', a.writers), 2
    from artifact a join mv using (model_name, version)
    union all
    select t.model_name, t.version, 'dataset_version', 'dataset_version_tag', 0.5, 'candidate', null,
      t.namespace, t.name, t.dataset_version, t.version_id, jsonb_build_object('tag', t.tag, 'dataset', t.token, 'version', t.wanted), 3
    from tagged t),
  inherited as (
    select mv.model_name, mv.version, l.kind, 'model_source' as method, l.confidence * 0.95 as confidence,
      coalesce(d.status, l.status) as status, l.run_id, l.dataset_namespace, l.dataset_name, l.dataset_version, l.dataset_version_id,
      jsonb_build_object('via', 'models:/' || l.model_name || '/' || l.version) || l.evidence as evidence, 4 as rank, l.hops + 1 as hops
    from mv join model_version_links l on l.model_name = mv.source_model_name and l.version = mv.source_model_version
    left join model_link_decisions d on d.link_id = l.link_id
    where l.hops < ${MAX_HOPS} and coalesce(d.status, l.status) <> 'rejected'),
  -- One link per target (a run found by id and by artifact is one link), the strongest method kept. Its id
  -- is linkId's (src/models/links.ts) in SQL.
  strongest as (
    select distinct on (c.link_id) c.* from (
      select c.*, case when c.kind = 'run'
          then ${idSql('model_link', sql`c.model_name`, sql`c.version::text`, sql`'run:' || c.run_id::text`)}
          else ${idSql('model_link', sql`c.model_name`, sql`c.version::text`, sql`'dataset_version:' || c.dataset_namespace`, sql`c.dataset_name`, sql`c.dataset_version`)}
        end as link_id
      from (select *, 0 as hops from own union all select * from inherited) c) c
    order by c.link_id, c.confidence desc, c.rank, c.evidence::text),
  ${sameTrainingCtes()}`;
}

/**
 * One training, seen twice, is one training run. An MLflow run is an OpenLineage run of the same id
 * (src/tracking/projection.ts); the Airflow task or Spark job that ran the training may report it too, with the
 * MLflow run id on its tags facet (REGISTRY_RUN_ID_KEYS). A version registered from the MLflow run then finds
 * both: its run id names the first (`run_id`), the tag the second (`registry_run_id`). Both are the same
 * training, not two: the version keeps one link, to the run its run id names, and that link's evidence
 * records the others (`sameTraining`: each run with its evidence; `sameRuns`: their ids, what question 2 and
 * the graphs look for). The answers then read the one run with what the others saw and it lacks merged in
 * (src/models/training.ts: the Airflow task's datasets, the MLflow run's parameters and metrics).
 *
 * One link rather than two links marked alike: every answer counting training runs (question 1, the policy's
 * tags, the diff, the model nodes of graphs) then counts one without knowing of the case. The other run's link
 * is gone, not hidden: a human who rejects the run-id link gets the other run back as a training run of its
 * own (it is not merged into a rejected link), and a rejected registry link is never merged (the decision stays
 * visible on its own link). Only links of the version itself are merged; inherited ones (`models:/` sources)
 * carry their source's merge in their evidence.
 */
function sameTrainingCtes(): SQL {
  return sql`canonical as (
    select s.model_name, s.version, s.run_id from strongest s
    left join model_link_decisions d on d.link_id = s.link_id
    where s.method = 'run_id' and s.hops = 0 and coalesce(d.status, s.status) <> 'rejected'),
  same_training as (
    select s.link_id, s.model_name, s.version, s.run_id, s.evidence, c.run_id as training from strongest s
    join canonical c on c.model_name = s.model_name and c.version = s.version and c.run_id <> s.run_id
    left join model_link_decisions d on d.link_id = s.link_id
    where s.method = 'registry_run_id' and s.hops = 0 and coalesce(d.status, s.status) <> 'rejected'),
  computed as (
    select s.model_name, s.version, s.kind, s.method, s.confidence, s.status, s.run_id, s.dataset_namespace, s.dataset_name,
      s.dataset_version, s.dataset_version_id, s.rank, s.hops, s.link_id,
      s.evidence || coalesce((
        select jsonb_build_object('sameTraining', jsonb_agg(jsonb_build_object('runId', t.run_id) || t.evidence order by t.run_id),
          'sameRuns', jsonb_agg(t.run_id order by t.run_id))
        from same_training t where t.model_name = s.model_name and t.version = s.version and t.training = s.run_id
          and s.method = 'run_id' and s.hops = 0
        having count(*) > 0), '{}'::jsonb) as evidence
    from strongest s
    where s.link_id not in (select t.link_id from same_training t))`;
}

/** The runs a link's evidence says are the same training as its run (link alias `l`), as a set of uuid rows. */
export const sameRunsOf = (link: SQL) => sql`(select x::uuid from jsonb_array_elements_text(
  case when jsonb_typeof(${link}.evidence->'sameRuns') = 'array' then ${link}.evidence->'sameRuns' else '[]' end) x)`;

/** The registry (MLflow) run ids that runs (a uuid[] expression) carry on their tags or mlflow facets. */
export const registryRunIdsOf = (runs: SQL) => sql`
  select e->>'value' from facet_rows f cross join lateral ${tagsOf(sql`f.value`)} e
  where f.owner_id = any(${runs}) and f.name = 'tags' and f.owner_kind = 'run' and e->>'key' = any(${textArray(REGISTRY_RUN_ID_KEYS)})
  union
  select f.value->>'run_id' from facet_rows f where f.owner_id = any(${runs}) and f.name in ('tags', 'mlflow') and f.owner_kind = 'run'`;
