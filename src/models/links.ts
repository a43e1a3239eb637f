import { type SQL, sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey, textArray } from '../db/sql';
import { idOf } from '../ids';
import { appendAudit } from './audit';
import type { ModelVersion } from './registry';

/**
 * Links between a model version and the OpenLineage runs (and dataset versions) it came from. They are
 * computed from the evidence whenever they are read, so a version registered before its training events
 * arrive is linked once they arrive, and the other way round, with nothing to re-run. Strongest evidence
 * first; only explicit ids and artifact identity are confirmed without a human, heuristics are candidates.
 * A link's id is a hash of what it links, so a human's decision (confirm or reject) sticks to it.
 */

export type LinkMethod = 'run_id' | 'registry_run_id' | 'artifact' | 'dataset_version_tag' | 'model_source';
export type LinkStatus = 'candidate' | 'confirmed' | 'rejected';

export interface Link {
  id: string;
  kind: 'run' | 'dataset_version';
  method: LinkMethod;
  confidence: number;
  status: LinkStatus;
  /** Set when a human decided; otherwise the status is the method's. */
  decision: { status: 'confirmed' | 'rejected'; actor: string; comment: string | null; at: string } | null;
  runId: string | null;
  /** For dataset-version links: the version named, and its row when some run wrote it. */
  dataset: { namespace: string; name: string; version: string; versionId: string | null } | null;
  evidence: Record<string, unknown>;
}

/** Tag keys on an OpenLineage run's tags facet that carry the registry's (MLflow's) run id. */
const REGISTRY_RUN_ID_KEYS = ['mlflow.run_id', 'mlflow_run_id', 'registry_run_id'];

/**
 * The versions whose evidence points at one of `runs` (a uuid[] expression): the run id, the registry run
 * id on the run's tags or mlflow facet, or an artifact the run wrote. Their links are then computed in
 * full (decisions, ambiguity) by versionLinks. Each kind of evidence is its own indexed search, the
 * results united: an OR of the three would scan every version.
 */
export function candidateVersionsSql(runs: SQL): SQL {
  return sql`select mv.model_name as name, mv.version, mv.created_at from model_versions mv where mv.run_uuid = any(${runs})
    union
    select mv.model_name, mv.version, mv.created_at from model_versions mv where mv.run_id in (
      select e->>'value' from facets f
      cross join lateral jsonb_array_elements(case when jsonb_typeof(f.value->'tags') = 'array' then f.value->'tags' else '[]' end) e
      where f.owner_id = any(${runs}) and f.name = 'tags' and f.owner_kind = 'run' and e->>'key' = any(${textArray(REGISTRY_RUN_ID_KEYS)})
      union
      select f.value->>'run_id' from facets f where f.owner_id = any(${runs}) and f.name = 'mlflow' and f.owner_kind = 'run')
    union
    select mv.model_name, mv.version, mv.created_at from model_versions mv
    where mv.source_dataset_ids && array(select io.dataset_id from run_io io where io.run_id = any(${runs}) and io.direction = 'out')`;
}

/** The links of one version (after following a `models:/` source to the version it was copied from). */
export async function versionLinks(db: Db, v: ModelVersion, depth = 0): Promise<Link[]> {
  const tag = v.tags.dataset_version;
  const registryIdMatch = sql.join(
    REGISTRY_RUN_ID_KEYS.map(
      (key) => sql`f.value @> jsonb_build_object('tags', jsonb_build_array(jsonb_build_object('key', ${key}::text, 'value', mv.run_id)))`,
    ),
    sql` or `,
  );
  // The decisions do not depend on the links found: both are asked for at once.
  const decisions = decisionsOf(db, v);
  const [row] = await selectByKey<{ links: Omit<Link, 'id' | 'decision'>[] | null; source: { name: string; version: number } | null }>(
    db,
    sql`with mv as (select * from model_versions where model_name = ${v.name} and version = ${v.version}),
    explicit as (
      select r.id as run_id from mv join runs r on r.id = mv.run_uuid),
    registry as (
      select distinct f.owner_id as run_id, f.name as facet from mv
      join facets f on mv.run_id is not null and f.name in ('tags', 'mlflow') and f.owner_kind = 'run'
        and (${registryIdMatch} or f.value @> jsonb_build_object('run_id', mv.run_id))),
    artifact as (
      select distinct on (io.run_id) io.run_id, d.namespace, d.name from mv
      join run_io io on io.dataset_id = any(mv.source_dataset_ids) and io.direction = 'out'
      join datasets d on d.id = io.dataset_id),
    training as (select run_id from explicit union select run_id from registry union select run_id from artifact),
    -- The seed practice of one compound tag (dataset_version = "orders_v2.1+users_v3.0"), on the version
    -- or on a training run's tags facet.
    tag_values as (
      select ${tag ?? null}::text as value where ${tag ?? null}::text is not null
      union
      select e->>'value' from facets f
      cross join lateral jsonb_array_elements(case when jsonb_typeof(f.value->'tags') = 'array' then f.value->'tags' else '[]' end) e
      where f.owner_id in (select run_id from training) and f.name = 'tags' and f.owner_kind = 'run' and e->>'key' = 'dataset_version'),
    tag_parts as (
      select distinct m[1] as dataset, m[2] as version, tv.value as tag from tag_values tv
      cross join lateral regexp_split_to_table(tv.value, '[+,;]') part
      cross join lateral regexp_match(trim(part), '^(.+?)[_@:-]v?([0-9][A-Za-z0-9_.-]*)$') m
      where m is not null),
    -- A tag part names a dataset by its last name segment and a version: a version some run wrote, or one
    -- a run read by name (dataset-version facet). Searched among the training runs' inputs first,
    -- everywhere only when no training run is known.
    tag_datasets as (
      select p.dataset as token, p.version as wanted, p.tag, d.id, d.namespace, d.name from tag_parts p
      join run_io io on io.run_id in (select run_id from training) and io.direction = 'in'
      join datasets d on d.id = io.dataset_id
        and (d.name = p.dataset or d.name like '%.' || p.dataset or d.name like '%/' || p.dataset)
      union
      -- Only without a training run: every dataset is a candidate (a scan, and a rare case).
      select p.dataset, p.version, p.tag, d.id, d.namespace, d.name from tag_parts p
      join datasets d on not exists (select 1 from training)
        and (d.name = p.dataset or d.name like '%.' || p.dataset or d.name like '%/' || p.dataset)),
    tagged as (
      select distinct on (t.id, t.wanted) t.token, t.wanted, t.tag, t.namespace, t.name, x.version, x.version_id from tag_datasets t
      cross join lateral (
        select dv.version, dv.id as version_id, 0 as rank from dataset_versions dv
        where dv.dataset_id = t.id and (dv.version = t.wanted or dv.version = 'v' || t.wanted)
        union all
        select io.version, null::uuid, 1 from run_io io
        where io.dataset_id = t.id and io.direction = 'in' and (io.version = t.wanted or io.version = 'v' || t.wanted)
        order by rank limit 1) x
      order by t.id, t.wanted)
    select (
      select json_agg(l) from (
        select 'run' as kind, 'run_id' as method, 1.0 as confidence, 'confirmed' as status, run_id as "runId", null::json as dataset,
          json_build_object('runId', (select run_id from mv), 'source', (select source from mv)) as evidence from explicit
        union all
        select 'run', 'registry_run_id', 0.95, 'confirmed', run_id, null,
          json_build_object('registryRunId', (select run_id from mv), 'facet', facet) from registry
        union all
        select 'run', 'artifact', 0.9, case when (select count(*) from artifact) = 1 then 'confirmed' else 'candidate' end, run_id, null,
          json_build_object('source', (select source from mv), 'output', json_build_object('namespace', namespace, 'name', name),
            'writers', (select count(*) from artifact)) from artifact
        union all
        select 'dataset_version', 'dataset_version_tag', 0.5, 'candidate', null,
          json_build_object('namespace', namespace, 'name', name, 'version', version, 'versionId', version_id),
          json_build_object('tag', tag, 'dataset', token, 'version', wanted) from tagged
      ) l) as links,
      (select json_build_object('name', source_model_name, 'version', source_model_version) from mv
        where source_model_name is not null and source_model_version is not null) as source`,
  );
  const own = (row?.links ?? []).map((l) => ({ ...l, id: '', decision: null }) as Link);
  // A `models:/` source: the version inherits the links of the one it was copied from.
  if (row?.source && depth < 3) {
    const [from] = await selectByKey<{ json: ModelVersion }>(
      db,
      sql`select json_build_object('name', model_name, 'version', version, 'tags', coalesce((select json_object_agg(t.key, t.value)
        from model_version_tags t where t.model_name = v.model_name and t.version = v.version), '{}'::json)) as json
        from model_versions v where v.model_name = ${row.source.name} and v.version = ${row.source.version}`,
    );
    if (from) {
      for (const l of await versionLinks(db, from.json, depth + 1)) {
        if (l.status === 'rejected') continue;
        own.push({
          ...l,
          method: 'model_source',
          confidence: l.confidence * 0.95,
          evidence: { via: `models:/${from.json.name}/${from.json.version}`, ...l.evidence },
        });
      }
    }
  }
  return withDecisions(v, strongestFirst(own), await decisions);
}

/** One link per target, the strongest method kept (a run found by id and by artifact is one link). */
function strongestFirst(links: Link[]): Link[] {
  const best = new Map<string, Link>();
  for (const l of links) {
    const target = l.kind === 'run' ? `run:${l.runId}` : `dv:${l.dataset?.namespace}\u0000${l.dataset?.name}\u0000${l.dataset?.version}`;
    const current = best.get(target);
    if (!current || l.confidence > current.confidence) best.set(target, l);
  }
  return [...best.values()].sort((a, b) => b.confidence - a.confidence);
}

type Decision = { linkId: string; status: 'confirmed' | 'rejected'; actor: string; comment: string | null; at: string };

const decisionsOf = (db: Db, v: Pick<ModelVersion, 'name' | 'version'>) =>
  selectByKey<Decision>(
    db,
    sql`select link_id as "linkId", status, actor, comment, ${iso(sql`decided_at`)} as at from model_link_decisions
      where model_name = ${v.name} and version = ${v.version}`,
  );

function withDecisions(v: ModelVersion, links: Link[], decisions: Decision[]): Link[] {
  for (const l of links) l.id = linkId(v, l);
  const byId = new Map(decisions.map((d) => [d.linkId, d]));
  return links.map((l) => {
    const d = byId.get(l.id);
    return d ? { ...l, status: d.status, decision: { status: d.status, actor: d.actor, comment: d.comment, at: d.at } } : l;
  });
}

/** A stable id: the same version and target give the same id whatever the method that found it. */
function linkId(v: Pick<ModelVersion, 'name' | 'version'>, l: Link): string {
  const target =
    l.kind === 'run' ? `run:${l.runId}` : `dataset_version:${l.dataset?.namespace}\u0000${l.dataset?.name}\u0000${l.dataset?.version}`;
  return idOf('model_link', v.name, String(v.version), target);
}

/** The confirmed training runs of a version (links of kind run, confirmed by evidence or by a human). */
export const trainingRuns = (links: Link[]) => links.filter((l) => l.kind === 'run' && l.status === 'confirmed').map((l) => l.runId!);

/** Records a human's decision on one of the version's current links. */
export async function decideLink(
  db: Db,
  actor: string,
  v: ModelVersion,
  linkId: string,
  status: 'confirmed' | 'rejected',
  comment?: string,
) {
  const link = (await versionLinks(db, v)).find((l) => l.id === linkId);
  if (!link) throw notFound(`no link ${linkId} for ${v.name} version ${v.version}`);
  await db.transaction(async (query) => {
    await query(sql`insert into model_link_decisions (link_id, model_name, version, status, actor, comment, decided_at)
      values (${linkId}, ${v.name}, ${v.version}, ${status}, ${actor}, ${comment ?? null}, now())
      on conflict (link_id) do update set status = excluded.status, actor = excluded.actor, comment = excluded.comment, decided_at = now()`);
    await appendAudit(query, {
      actor,
      action: `link.${status}`,
      modelName: v.name,
      version: v.version,
      detail: { linkId, kind: link.kind, method: link.method, runId: link.runId, dataset: link.dataset, comment: comment ?? null },
    });
  });
  return (await versionLinks(db, v)).find((l) => l.id === linkId)!;
}
