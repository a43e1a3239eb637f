import { type SQL, sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { LOCKS } from '../db/locks';
import { textArray, uuidArray } from '../db/sql';
import {
  evidenceCtes,
  loggedModelOf,
  MAX_HOPS,
  mlflowVersionColumns,
  registryRunIdsOf,
  segmentOf,
  versionsOfLoggedModelRuns,
} from './link-evidence';

/**
 * Keeps model_version_links what the evidence says, in the transaction of whatever changes the evidence:
 * set-based, one statement for any number of versions (plus one per `models:/` hop when versions were
 * copied from the ones refreshed).
 *
 * Ingest and the registry change different tables, so neither would see what the other has not committed
 * (a version registered while its training run's events are being written would be linked by neither).
 * They are ordered by one advisory lock: the registry's changes of evidence take it exclusively when they
 * begin, ingest takes it shared before it looks for the versions its events touch, so whichever comes
 * second sees what the first committed. Ingest transactions do not wait for each other, unless they refresh
 * the same versions: those are locked (by stripe) before they are refreshed.
 */
export interface VersionKey {
  name: string;
  version: number;
}

/** The class (first key) of the advisory locks ingest takes on the versions it refreshes. */
const VERSION_LOCK_CLASS = 73_021;
/** Versions are locked by stripe: a power of two, well under the server's lock table (max_locks_per_transaction). */
const LOCK_STRIPES = 64;

/** For a registry change of evidence: taken first, before any row lock, so it never waits holding one. */
export async function lockLinksForRegistry(query: Query): Promise<void> {
  await query(sql`select pg_advisory_xact_lock(${LOCKS.modelLinks}::bigint)`);
}

/** Recomputes the links of `versions` (gone ones lose theirs), then of the versions copied from them. */
export async function refreshLinks(query: Query, versions: readonly VersionKey[]): Promise<void> {
  let scope = versions;
  // Each round refreshes the versions copied from the last round's, so a `models:/` chain of MAX_HOPS is
  // up to date at the end (inherited links are read from the source's stored links).
  for (let round = 0; scope.length > 0 && round <= MAX_HOPS; round++) {
    const keys = sql`select * from unnest(${textArray(scope.map((v) => v.name))}, ${textArray(scope.map((v) => String(v.version)))}::int[])
      as s(model_name, version)`;
    const dependents = await query<{ name: string; version: number }>(refreshStatement(keys));
    scope = dependents.map((d) => ({ name: d.name, version: Number(d.version) }));
  }
}

/** Every version's links, from scratch (after replay, or to repair). */
export async function refreshAllLinks(query: Query): Promise<void> {
  await lockLinksForRegistry(query);
  const all = await query<{ name: string; version: number }>(sql`select model_name as name, version from model_versions order by 1, 2`);
  await refreshLinks(
    query,
    all.map((v) => ({ name: v.name, version: Number(v.version) })),
  );
}

/**
 * After ingest wrote `runIds` (and their IO, facets, dataset versions): refreshes the versions whose
 * evidence they touch. Costs two trivial statements in one round trip while no version is registered.
 */
export async function refreshLinksAfterIngest(query: Query, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  // Issued together (pipelined); the second statement's snapshot is taken once the lock is held. The
  // search for the versions touched is not even planned (planning it costs more than running it) while
  // no version is registered.
  const [, [registry]] = await Promise.all([
    query(sql`select pg_advisory_xact_lock_shared(${LOCKS.modelLinks}::bigint)`),
    query<{ exists: boolean }>(sql`select exists (select 1 from model_versions) as exists`),
  ]);
  if (!registry?.exists) return;
  const touched = await query<{ versions: VersionKey[] }>(touchedAndLocked(uuidArray([...new Set(runIds)].sort())));
  if (touched.length === 0) return;
  await refreshLinks(
    query,
    touched.flatMap((s) => s.versions),
  );
}

/**
 * The versions whose links the runs may change: those naming a run (its id or registry run id, directly or
 * through the MLflow logged model they register: its source run is a run's MLflow id, or its registry run id), whose
 * artifact a run wrote, already linked to a run, or whose dataset_version tags name a dataset version a
 * run wrote or read in a way that may change what the tag resolves to. They are locked for this
 * transaction by stripe (a hash of the version, so a transaction holds at most LOCK_STRIPES advisory
 * locks however many versions it touches), in stripe order, so that two ingest transactions never wait
 * for each other in a cycle; one row per stripe, with its versions.
 */
const touchedAndLocked = (runs: SQL) => sql`
  select s.versions, pg_advisory_xact_lock(${VERSION_LOCK_CLASS}::int, s.stripe) is null as locked from (
    select hashtext(a.model_name || '/' || a.version) & ${LOCK_STRIPES - 1} as stripe,
      json_agg(json_build_object('name', a.model_name, 'version', a.version)) as versions
    from (
      select mv.model_name, mv.version from model_versions mv where mv.run_uuid = any(${runs})
      union
      select mv.model_name, mv.version from model_versions mv where mv.run_id = any(array(${registryRunIdsOf(runs)}))
      union
      ${versionsOfLoggedModelRuns(sql`array(${registryRunIdsOf(runs)} union select replace(u::text, '-', '') from unnest(${runs}) u)`)}
      union
      select mv.model_name, mv.version from model_versions mv
      where mv.source_dataset_ids && array(select io.dataset_id from run_io io where io.run_id = any(${runs}) and io.direction = 'out')
      union
      select l.model_name, l.version from model_version_links l where l.run_id = any(${runs})
      union
      ${watchingWritten(runs)}
      union
      ${watchingRead(runs)}
    ) a
    group by 1 order by 1) s`;

/** What a dataset_version tag names (`p.wanted`) to mean the version string `version`: itself, or without its `v`. */
const wantedFor = (version: SQL) =>
  sql`cross join lateral (values (${version}), (case when ${version} like 'v%' then substr(${version}, 2) end)) as w(wanted)`;

/**
 * Tag parts (alias `p`) watching a dataset version `x` (dataset_id, name, wanted: see wantedFor): the rows for that
 * dataset matching `condition`, and the versions without a training run watching every dataset of that
 * name segment, unless they watch this one already (a set difference: many versions may watch the same).
 */
const watching = (condition: SQL) => sql`
  select p.model_name, p.version from x
  join model_version_tag_parts p on p.dataset_id = x.dataset_id and p.wanted = x.wanted and ${condition}
  union
  select w.model_name, w.version from (
    select p.model_name, p.version, p.wanted from x
    join model_version_tag_parts p on p.dataset_id is null and p.segment = ${segmentOf(sql`x.name`)}
      and p.wanted = x.wanted
    except
    select k.model_name, k.version, k.wanted from x
    join model_version_tag_parts k on k.dataset_id = x.dataset_id and k.wanted = x.wanted) w`;

/**
 * The versions a dataset version the runs wrote may be named by: where nothing was written yet, or only
 * later (the first writer is the one named). One more run writing a version every model names touches none.
 */
const watchingWritten = (runs: SQL) => sql`
  (with x as (select dv.dataset_id, d.name, w.wanted, dv.created_at, dv.id from dataset_versions dv
      join datasets d on d.id = dv.dataset_id ${wantedFor(sql`dv.version`)} where dv.run_id = any(${runs}) and w.wanted is not null)
    ${watching(sql`p.written_at is null`)}
    union
    select p.model_name, p.version from x
    join model_version_tag_parts p on p.dataset_id = x.dataset_id and p.wanted = x.wanted
      and (p.written_at, p.written_id) > (x.created_at, x.id))`;

/**
 * The versions a dataset version the runs read by name may be named by: where nothing was written, and
 * nothing read or only a version string that sorts after (each an index range, however many versions
 * name the same dataset version).
 */
const watchingRead = (runs: SQL) => sql`
  (with x as (select io.dataset_id, d.name, io.version, w.wanted from run_io io join datasets d on d.id = io.dataset_id
      ${wantedFor(sql`io.version`)} where io.run_id = any(${runs}) and io.direction = 'in' and io.version is not null and w.wanted is not null)
    ${watching(sql`p.written_at is null and p.written_id is null and p.read_version is null`)}
    union
    select p.model_name, p.version from x
    join model_version_tag_parts p on p.dataset_id = x.dataset_id and p.wanted = x.wanted
      and p.written_at is null and p.written_id is null and p.read_version > x.version)`;

/**
 * One statement: computes the links of the versions `scope` selects (model_name, version), deletes those
 * the evidence no longer supports, writes the new and changed ones (unchanged rows are not touched), and
 * what ingest must watch for them; answers the versions copied from those in scope (`models:/` sources), whose
 * inherited links are next.
 */
export const refreshStatement = (scope: SQL) => sql`
  with scope as (${scope}),
  mv as materialized (
    select v.model_name, v.version, v.source, v.run_id, v.source_dataset_ids, v.source_model_name, v.source_model_version,
      ${mlflowVersionColumns(sql`v`)}
    from model_versions v join scope s on s.model_name = v.model_name and s.version = v.version ${loggedModelOf(sql`v`)}),
  ${evidenceCtes()},
  removed as (
    delete from model_version_links l using mv
    -- not in (a hashed set; link ids are never null): not exists would scan the computed links per row.
    where l.model_name = mv.model_name and l.version = mv.version and l.link_id not in (select c.link_id from computed c)),
  written as (
    insert into model_version_links (link_id, model_name, version, kind, method, confidence, status, run_id,
      dataset_namespace, dataset_name, dataset_version, dataset_version_id, evidence, hops)
    select c.link_id, c.model_name, c.version, c.kind, c.method, c.confidence, c.status, c.run_id,
      c.dataset_namespace, c.dataset_name, c.dataset_version, c.dataset_version_id, c.evidence, c.hops
    from computed c order by c.link_id
    on conflict (link_id) do update set kind = excluded.kind, method = excluded.method, confidence = excluded.confidence,
      status = excluded.status, run_id = excluded.run_id, dataset_namespace = excluded.dataset_namespace,
      dataset_name = excluded.dataset_name, dataset_version = excluded.dataset_version,
      dataset_version_id = excluded.dataset_version_id, evidence = excluded.evidence, hops = excluded.hops
    where (model_version_links.method, model_version_links.confidence, model_version_links.status,
        model_version_links.dataset_version_id, model_version_links.evidence, model_version_links.hops)
      is distinct from (excluded.method, excluded.confidence, excluded.status, excluded.dataset_version_id, excluded.evidence, excluded.hops)),
  parts_removed as (
    delete from model_version_tag_parts p using mv where p.model_name = mv.model_name and p.version = mv.version),
  -- What ingest watches (see model_version_tag_parts): every dataset that may be the one a tag part names,
  -- and any dataset of its name for a version without a training run.
  parts_written as (
    insert into model_version_tag_parts (model_name, version, segment, wanted, dataset_id, written_at, written_id, read_version)
    select c.model_name, c.version, ${segmentOf(sql`c.token`)}, c.wanted, c.id, c.written_at, c.written_id, c.read_version
    from tag_candidates c
    union
    select p.model_name, p.version, ${segmentOf(sql`p.token`)}, p.wanted, null, null, null, null from tag_parts p
    where not exists (select 1 from training t where t.model_name = p.model_name and t.version = p.version))
  select d.model_name as name, d.version from model_versions d
  join scope s on d.source_model_name = s.model_name and d.source_model_version = s.version
  order by 1, 2`;
