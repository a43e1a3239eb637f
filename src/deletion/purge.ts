import { sql } from 'drizzle-orm';
import { conflict, notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { retriedTransaction } from '../db/retry';
import { uuidArray } from '../db/sql';
import { ids } from '../ids';
import { normalizePlans } from '../ingest/store';
import { appendAudit } from '../models/audit';
import { lockLinksForRegistry, refreshLinks, type VersionKey } from '../models/link-refresh';
import { candidateEvents, forEachPlanned, names } from './naming';

export type PurgeTarget = { kind: 'dataset' | 'job'; namespace: string; name: string } | { kind: 'namespace'; namespace: string };

export interface PurgeResult {
  purged: PurgeTarget;
  /**
   * What was removed: the events naming the target and every event of the runs they were about, those runs,
   * the target's datasets and jobs, the namespaces left empty, the dataset versions of the target and those
   * the runs wrote.
   */
  removed: { events: number; runs: number; datasets: number; jobs: number; namespaces: number; datasetVersions: number };
  /**
   * The other datasets and jobs those events named, derived again from the events that remain: `events`
   * re-normalized; `vanished`, those no remaining event names (a dataset only the purged runs wrote).
   */
  rederived: { events: number; datasets: number; jobs: number; vanished: { kind: 'dataset' | 'job'; namespace: string; name: string }[] };
  /** The model versions whose links named what went (only with `force`): their links were recomputed. */
  modelVersions: VersionKey[];
}

/**
 * Purges a dataset, a job or a namespace (everything in it): the verbatim events that name it are deleted
 * with everything derived from them, so that no replay can bring it back, and the audit log records it.
 *
 * What goes, and why:
 * - the events naming the target (the planner decides what an event names, as for unhiding: inputs,
 *   outputs, the job, a parent job, symlinks, column-lineage inputs), queued or set-aside ones included;
 * - **whole runs**: every event of a run one of those events is about. A run is the sum of its events; a run
 *   kept with its START and without its COMPLETE would state what it did not do. So a run that read the
 *   purged dataset and wrote another goes, with the version of the other dataset it wrote;
 * - the target's rows, tags, documents and hidden mark.
 * Every other dataset and job those events named keeps only what the remaining events say: its rows are
 * deleted and derived again from its remaining events, in this transaction (the normalized model stays
 * what `replay --rebuild` makes of the stored events; one left with no event goes, and is reported). The
 * cost is the remaining events of those neighbours. Sources (from dataSource facets) are kept.
 *
 * Model versions linked to a run or dataset version that goes are refused (409, naming them) unless
 * `force`: their lineage would silently lose its training data. With `force` their links are recomputed
 * (those to what went disappear; the registry's own records, approvals and audit stay).
 *
 * One transaction. It first takes the queue's table lock, so no event is normalized meanwhile (acceptance
 * waits for the commit, then the events accepted meanwhile are normalized: a new event naming the target
 * brings it back, as it would any deleted entity).
 */
export async function purge(db: Db, actor: string, target: PurgeTarget, force: boolean): Promise<PurgeResult> {
  // A deadlock with an ingest transaction (the purge takes many locks): tried again, as ingest does.
  return retriedTransaction(db, (query) => purgeIn(query, actor, target, force), 3);
}

async function purgeIn(query: Query, actor: string, target: PurgeTarget, force: boolean): Promise<PurgeResult> {
  // The queue first (normalizers hold it while they write), then the links' lock, as ingest takes them.
  await query(sql`lock table pending_events in exclusive mode`);
  await lockLinksForRegistry(query);
  const t = await targets(query, target);

  // The events naming the target, then every event of the runs they are about.
  const targetDatasets = new Set(t.datasets);
  const targetJobs = new Set(t.jobs);
  const events = new Set<string>();
  const runs = new Set<string>();
  await forEachPlanned(query, await candidateEvents(query, t, true), async (plans) => {
    for (const p of plans) {
      if (!names(p, targetDatasets, targetJobs)) continue;
      events.add(p.event.id!);
      if (p.event.runId) runs.add(p.event.runId);
    }
  });
  const runList = [...runs].sort();
  for (const r of await query<{ id: string }>(sql`select id from lineage_events where run_id = any(${uuidArray(runList)})`))
    events.add(r.id);

  // What those events name besides the target: derived again from the events that remain.
  const otherDatasets = new Set<string>();
  const otherJobs = new Set<string>();
  await forEachPlanned(query, [...events], async (plans) => {
    for (const p of plans) {
      for (const d of p.datasets) if (!targetDatasets.has(d.id)) otherDatasets.add(d.id);
      for (const j of p.jobs) if (!targetJobs.has(j.id)) otherJobs.add(j.id);
    }
  });
  const neighbours = { datasets: [...otherDatasets].sort(), jobs: [...otherJobs].sort() };
  const remaining = (await candidateEvents(query, neighbours, false)).filter((id) => !events.has(id));

  const modelVersions = await linkedVersions(query, t.datasets, runList);
  if (modelVersions.length && !force) {
    throw conflict(
      `model versions are linked to what this purge removes: ${modelVersions.map((v) => `${v.name}/${v.version}`).join(', ')}; purge with force to remove it anyway (their links are then recomputed)`,
    );
  }

  const datasets = [...t.datasets, ...neighbours.datasets];
  const jobs = [...t.jobs, ...neighbours.jobs];
  const neighbourNames = await entityNames(query, neighbours);
  const namespaces = await namespacesOf(query, datasets, jobs, t.namespaces);
  const counted = await deleteRows(query, { datasets, jobs, runs: runList, targetDatasets: t.datasets });
  await deleteTargetState(query, t);
  const eventList = [...events].sort();
  await Promise.all([
    query(sql`delete from lineage_events where id = any(${uuidArray(eventList)})`),
    query(sql`delete from pending_events where event_id = any(${uuidArray(eventList)})`),
    query(sql`delete from normalization_failures where event_id = any(${uuidArray(eventList)})`),
  ]);

  // The neighbours, from their remaining events (the normalizer's own code: merges, versions, documents).
  await forEachPlanned(query, remaining, (plans) => normalizePlans(query, plans));

  const vanished = await vanishedOf(query, neighbourNames);
  const removedNamespaces = await settleNamespaces(query, namespaces);
  await query(sql`delete from hidden_entities h where h.id = any(${uuidArray([...datasets, ...jobs, ...namespaces])})
    and not exists (select 1 from datasets d where d.id = h.id) and not exists (select 1 from jobs j where j.id = h.id)
    and not exists (select 1 from namespaces n where n.id = h.id)`);
  if (modelVersions.length) await refreshLinks(query, modelVersions);

  const result: PurgeResult = {
    purged: target,
    removed: {
      events: events.size,
      runs: runList.length,
      datasets: t.datasets.length,
      jobs: t.jobs.length,
      namespaces: removedNamespaces,
      datasetVersions: counted.datasetVersions,
    },
    rederived: { events: remaining.length, datasets: neighbours.datasets.length, jobs: neighbours.jobs.length, vanished },
    modelVersions,
  };
  await appendAudit(query, {
    actor,
    action: `${target.kind}.purged`,
    detail: { ...target, removed: result.removed, rederived: result.rederived, force, modelVersions },
  });
  return result;
}

interface Targets {
  datasets: string[];
  jobs: string[];
  namespaces: string[];
}

/** The target's ids (a namespace's: every dataset and job in it, hidden or not); 404 when it does not exist. */
async function targets(query: Query, target: PurgeTarget): Promise<Targets> {
  const ns = ids.namespace(target.namespace);
  if (target.kind === 'namespace') {
    const [found] = await query<{ datasets: string[] | null; jobs: string[] | null }>(sql`select
      (select array_agg(id order by id) from datasets where namespace_id = ${ns}) as datasets,
      (select array_agg(id order by id) from jobs where namespace_id = ${ns}) as jobs
      from namespaces where id = ${ns}`);
    if (!found) throw notFound(`Namespace '${target.namespace}' not found.`);
    return { datasets: found.datasets ?? [], jobs: found.jobs ?? [], namespaces: [ns] };
  }
  const id = target.kind === 'dataset' ? ids.dataset(target.namespace, target.name) : ids.job(target.namespace, target.name);
  const [found] = await query(sql`select 1 from ${target.kind === 'dataset' ? sql`datasets` : sql`jobs`} where id = ${id}`);
  if (!found) {
    const [namespace] = await query(sql`select 1 from namespaces where id = ${ns}`);
    throw notFound(
      namespace
        ? `${target.kind === 'dataset' ? 'Dataset' : 'Job'} '${target.name}' not found.`
        : `Namespace '${target.namespace}' not found.`,
    );
  }
  return target.kind === 'dataset' ? { datasets: [id], jobs: [], namespaces: [] } : { datasets: [], jobs: [id], namespaces: [] };
}

/** The model versions linked to a run or a dataset version that the purge removes, or naming such a run. */
async function linkedVersions(query: Query, datasets: string[], runs: string[]): Promise<VersionKey[]> {
  const found = await query<{ name: string; version: number }>(sql`
    select l.model_name as name, l.version from model_version_links l
    where l.run_id = any(${uuidArray(runs)}) or l.dataset_version_id in (
      select v.id from dataset_versions v where v.dataset_id = any(${uuidArray(datasets)}) or v.run_id = any(${uuidArray(runs)}))
    union select v.model_name, v.version from model_versions v where v.run_uuid = any(${uuidArray(runs)})
    order by 1, 2`);
  return found.map((v) => ({ name: v.name, version: Number(v.version) }));
}

/** Names of the neighbours, to report those that no remaining event names. */
async function entityNames(query: Query, n: { datasets: string[]; jobs: string[] }) {
  return query<{ id: string; kind: 'dataset' | 'job'; namespace: string; name: string }>(sql`
    select id, 'dataset' as kind, namespace, name from datasets where id = any(${uuidArray(n.datasets)})
    union all select id, 'job', namespace, name from jobs where id = any(${uuidArray(n.jobs)})`);
}

async function vanishedOf(query: Query, before: { id: string; kind: 'dataset' | 'job'; namespace: string; name: string }[]) {
  const still = new Set(
    (
      await query<{ id: string }>(sql`select id from datasets where id = any(${uuidArray(before.map((b) => b.id))})
        union all select id from jobs where id = any(${uuidArray(before.map((b) => b.id))})`)
    ).map((r) => r.id),
  );
  return before
    .filter((b) => !still.has(b.id))
    .map(({ kind, namespace, name }) => ({ kind, namespace, name }))
    .sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1));
}

async function namespacesOf(query: Query, datasets: string[], jobs: string[], own: string[]): Promise<string[]> {
  const found = await query<{ id: string }>(sql`
    select namespace_id as id from datasets where id = any(${uuidArray(datasets)})
    union select namespace_id from jobs where id = any(${uuidArray(jobs)})`);
  return [...new Set([...own, ...found.map((r) => r.id)])].sort();
}

/**
 * Deletes every row of the datasets, jobs and runs given, and every row keyed to them (an edge, a version,
 * a facet, a document), so that what the remaining events derive is written afresh. The runs of the jobs
 * go too: their versions are the jobs'. Facet contents no facet uses any more go as well (they may hold
 * what was purged, a schema's field names say).
 */
async function deleteRows(query: Query, r: { datasets: string[]; jobs: string[]; runs: string[]; targetDatasets: string[] }) {
  const D = uuidArray([...new Set(r.datasets)].sort());
  const J = uuidArray([...new Set(r.jobs)].sort());
  const runs = (await query<{ id: string }>(sql`select id from runs where job_id = any(${J})`)).map((x) => x.id);
  const R = uuidArray([...new Set([...r.runs, ...runs])].sort());
  const io = (await query<{ id: string }>(sql`select id from run_io where run_id = any(${R}) or dataset_id = any(${D})`)).map((x) => x.id);
  const versions = await query<{ id: string; counted: boolean }>(sql`
    select id, dataset_id = any(${uuidArray(r.targetDatasets)}) or run_id = any(${uuidArray(r.runs)}) as counted
    from dataset_versions where dataset_id = any(${D}) or run_id = any(${R})`);
  const owners = uuidArray([...r.datasets, ...r.jobs, ...io, ...io.map(ids.inputDataset), ...versions.map((v) => v.id)].sort());
  const values = await query<{ value_id: string }>(
    sql`delete from facets where run_id = any(${R}) or owner_id = any(${owners}) returning value_id`,
  );
  const versionIds = uuidArray(versions.map((v) => v.id).sort());
  await Promise.all([
    query(sql`delete from run_io where id = any(${uuidArray(io.sort())})`),
    query(sql`delete from dataset_versions where id = any(${versionIds})`),
    query(sql`delete from dataset_fields where dataset_id = any(${D})`),
    query(sql`delete from dataset_symlinks where dataset_id = any(${D}) or target_id = any(${D})`),
    query(sql`delete from column_lineage where output_dataset_id = any(${D}) or input_dataset_id = any(${D}) or run_id = any(${R})`),
    query(sql`delete from job_version_io where job_version_id in (select id from job_versions where job_id = any(${J}))`),
    query(sql`delete from job_versions where job_id = any(${J})`),
    query(sql`delete from job_io where job_id = any(${J}) or dataset_id = any(${D})`),
    query(sql`delete from runs where id = any(${R})`),
    query(sql`delete from jobs where id = any(${J})`),
    query(sql`delete from datasets where id = any(${D})`),
    query(sql`delete from job_documents where job_id = any(${J})`),
    query(sql`delete from dataset_documents where dataset_id = any(${D})`),
  ]);
  const valueIds = [...new Set(values.map((v) => v.value_id))].sort();
  await query(sql`delete from facet_values v where v.id = any(${uuidArray(valueIds)})
    and not exists (select 1 from facets f where f.value_id = v.id)`);
  return { datasetVersions: versions.filter((v) => v.counted).length };
}

/** The target's user state: its tags (the registry's records of it stay, and the audit log). */
async function deleteTargetState(query: Query, t: Targets) {
  const D = uuidArray(t.datasets);
  await Promise.all([
    query(sql`delete from dataset_tags where dataset_id = any(${D})`),
    query(sql`delete from dataset_field_tags where dataset_id = any(${D})`),
    query(sql`delete from job_tags where job_id = any(${uuidArray(t.jobs)})`),
  ]);
}

/**
 * A namespace is what its datasets and jobs make it: gone when none is left, else its first and last
 * seen times are theirs (an event names a namespace through its job or a dataset). Returns how many went.
 */
async function settleNamespaces(query: Query, namespaces: string[]): Promise<number> {
  const N = uuidArray(namespaces);
  const empty = sql`not exists (select 1 from datasets d where d.namespace_id = n.id) and not exists (select 1 from jobs j where j.namespace_id = n.id)`;
  const gone = await query(sql`delete from namespaces n where n.id = any(${N}) and ${empty} returning id`);
  await query(sql`delete from namespace_counts c where c.namespace_id = any(${N}) and c.jobs = 0 and c.datasets = 0
    and not exists (select 1 from namespaces n where n.id = c.namespace_id)`);
  await query(sql`update namespaces n set created_at = s.created_at, updated_at = s.updated_at
    from (select namespace_id, min(created_at) as created_at, max(updated_at) as updated_at from (
        select namespace_id, created_at, updated_at from datasets where namespace_id = any(${N})
        union all select namespace_id, created_at, updated_at from jobs where namespace_id = any(${N})) x group by namespace_id) s
    where n.id = s.namespace_id and (n.created_at, n.updated_at) is distinct from (s.created_at, s.updated_at)`);
  return gone.length;
}
