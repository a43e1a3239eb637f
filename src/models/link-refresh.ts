import { type SQL, sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { textArray, uuidArray } from '../db/sql';
import { evidenceCtes, MAX_HOPS, registryRunIdsOf, segmentOf } from './link-evidence';

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

/** Arbitrary but fixed: the advisory lock ordering link refreshes between ingest and the registry. */
const LINKS_LOCK = 7_302_184_552;
/** The class (first key) of the advisory locks ingest takes on the versions it refreshes. */
const VERSION_LOCK_CLASS = 73_021;
/** Versions are locked by stripe: a power of two, well under the server's lock table (max_locks_per_transaction). */
const LOCK_STRIPES = 64;

/** For a registry change of evidence: taken first, before any row lock, so it never waits holding one. */
export async function lockLinksForRegistry(query: Query): Promise<void> {
  await query(sql`select pg_advisory_xact_lock(${LINKS_LOCK}::bigint)`);
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
  const runs = uuidArray([...new Set(runIds)].sort());
  // Issued together (pipelined); the second statement's snapshot is taken once the lock is held.
  const [, touched] = await Promise.all([
    query(sql`select pg_advisory_xact_lock_shared(${LINKS_LOCK}::bigint)`),
    query<{ versions: VersionKey[] }>(touchedAndLocked(runs)),
  ]);
  if (touched.length === 0) return;
  await refreshLinks(
    query,
    touched.flatMap((s) => s.versions),
  );
}

/**
 * The versions whose links the runs may change: those naming a run (its id or registry run id), whose
 * artifact a run wrote, already linked to a run, or whose dataset_version tags name a dataset version a
 * run wrote or read. Nothing is searched when no version is registered. They are locked for this
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
      select mv.model_name, mv.version from model_versions mv where mv.run_id in (${registryRunIdsOf(runs)})
      union
      select mv.model_name, mv.version from model_versions mv
      where mv.source_dataset_ids && array(select io.dataset_id from run_io io where io.run_id = any(${runs}) and io.direction = 'out')
      union
      select l.model_name, l.version from model_version_links l where l.run_id = any(${runs})
      union
      select p.model_name, p.version from model_version_tag_parts p
      join (
        select ${segmentOf(sql`d.name`)} as segment, w.version from (
          select dv.dataset_id, dv.version from dataset_versions dv where dv.run_id = any(${runs})
          union
          select io.dataset_id, io.version from run_io io where io.run_id = any(${runs}) and io.direction = 'in' and io.version is not null) w
        join datasets d on d.id = w.dataset_id) w
      on p.segment = w.segment and p.wanted in (w.version, case when w.version like 'v%' then substr(w.version, 2) end)
    ) a
    where (select exists (select 1 from model_versions))
    group by 1 order by 1) s`;

/**
 * One statement: computes the links of the versions `scope` selects (model_name, version), deletes those
 * the evidence no longer supports, writes the new and changed ones (unchanged rows are not touched), the
 * same for the tag parts; answers the versions copied from those in scope (`models:/` sources), whose
 * inherited links are next.
 */
export const refreshStatement = (scope: SQL) => sql`
  with scope as (${scope}),
  mv as materialized (
    select v.model_name, v.version, v.source, v.run_id, v.run_uuid, v.source_dataset_ids, v.source_model_name, v.source_model_version
    from model_versions v join scope s on s.model_name = v.model_name and s.version = v.version),
  ${evidenceCtes()},
  removed as (
    delete from model_version_links l using mv
    where l.model_name = mv.model_name and l.version = mv.version and not exists (select 1 from computed c where c.link_id = l.link_id)),
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
  parts as (
    select distinct p.model_name, p.version, ${segmentOf(sql`p.token`)} as segment, p.wanted from tag_parts p),
  parts_removed as (
    delete from model_version_tag_parts p using mv
    where p.model_name = mv.model_name and p.version = mv.version and not exists (
      select 1 from parts n where n.model_name = p.model_name and n.version = p.version and n.segment = p.segment and n.wanted = p.wanted)),
  parts_written as (
    insert into model_version_tag_parts (model_name, version, segment, wanted)
    select model_name, version, segment, wanted from parts order by 1, 2, 3, 4 on conflict do nothing)
  select d.model_name as name, d.version from model_versions d
  join scope s on d.source_model_name = s.model_name and d.source_model_version = s.version
  order by 1, 2`;
