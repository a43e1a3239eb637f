import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey } from '../db/sql';
import { idOf } from '../ids';
import { appendAudit } from './audit';
import { lockLinksForRegistry, refreshLinks } from './link-refresh';
import type { ModelVersion } from './registry';

/**
 * Links between a model version and the OpenLineage runs (and dataset versions) it came from, as the
 * evidence supports them (link-evidence.ts). They are stored and kept up to date whatever arrives first
 * (link-refresh.ts): a version registered before its training events is linked when they arrive, and the
 * other way round. A link's id is a hash of what it links, so a human's decision (confirm or reject)
 * sticks to it; decisions are applied when links are read.
 */

export type LinkMethod = 'run_id' | 'registry_run_id' | 'artifact' | 'dataset_version_tag' | 'model_source';
export type LinkStatus = 'candidate' | 'confirmed' | 'rejected';

export interface Link {
  id: string;
  kind: 'run' | 'dataset_version';
  method: LinkMethod;
  confidence: number;
  status: LinkStatus;
  /** Set when a human decided on this version's link; otherwise the status is the evidence's. */
  decision: { status: 'confirmed' | 'rejected'; actor: string; comment: string | null; at: string } | null;
  runId: string | null;
  /** For dataset-version links: the version named, and its row when some run wrote it. */
  dataset: { namespace: string; name: string; version: string; versionId: string | null } | null;
  evidence: Record<string, unknown>;
}

/** A stored link (alias `l`) with its decision (alias `d`, left joined) as a Link. */
const linkJson = sql`json_build_object('id', l.link_id, 'kind', l.kind, 'method', l.method, 'confidence', l.confidence,
  'status', coalesce(d.status, l.status),
  'decision', case when d.link_id is not null then
    json_build_object('status', d.status, 'actor', d.actor, 'comment', d.comment, 'at', ${iso(sql`d.decided_at`)}) end,
  'runId', l.run_id,
  'dataset', case when l.kind = 'dataset_version' then json_build_object('namespace', l.dataset_namespace, 'name', l.dataset_name,
    'version', l.dataset_version, 'versionId', l.dataset_version_id) end,
  'evidence', l.evidence)`;

/** Strongest first; then the order the methods are tried in, then the target. */
const strongestFirst = sql`l.confidence desc,
  array_position(array['run_id', 'registry_run_id', 'artifact', 'dataset_version_tag', 'model_source'], l.method),
  l.run_id, l.dataset_namespace, l.dataset_name, l.dataset_version`;

/** The stored links (alias `l`) with their decisions (alias `d`). */
export const linksWithDecisions = sql`model_version_links l left join model_link_decisions d on d.link_id = l.link_id`;

/** A link (over linksWithDecisions) to a training run: to a run, and confirmed by its evidence or by a human. */
export const confirmedRunLink = sql`l.kind = 'run' and coalesce(d.status, l.status) = 'confirmed'`;

/** The links of one version, decisions applied: one statement. */
export async function versionLinks(db: Db, v: Pick<ModelVersion, 'name' | 'version'>): Promise<Link[]> {
  const [row] = await selectByKey<{ links: Link[] | null }>(
    db,
    sql`select json_agg(${linkJson} order by ${strongestFirst}) as links from ${linksWithDecisions}
      where l.model_name = ${v.name} and l.version = ${v.version}`,
  );
  return row?.links ?? [];
}

/** A stable id: the same version and target give the same id whatever the method that found it (computed in SQL by link-evidence.ts). */
export function linkIdOf(v: Pick<ModelVersion, 'name' | 'version'>, l: Pick<Link, 'kind' | 'runId' | 'dataset'>): string {
  const target =
    l.kind === 'run' ? `run:${l.runId}` : `dataset_version:${l.dataset?.namespace}\u0000${l.dataset?.name}\u0000${l.dataset?.version}`;
  return idOf('model_link', v.name, String(v.version), target);
}

/** The confirmed training runs of a version (links of kind run, confirmed by evidence or by a human). */
export const trainingRuns = (links: Link[]) => links.filter((l) => l.kind === 'run' && l.status === 'confirmed').map((l) => l.runId!);

/**
 * For each confirmed training run, the runs its link's evidence says are the same training (`sameRuns`: an
 * Airflow or Spark run that carried the MLflow run id of the MLflow run the version names; link-evidence.ts).
 */
export function sameTrainingOf(links: Link[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of links) {
    const same = l.evidence.sameRuns;
    if (l.kind !== 'run' || l.status !== 'confirmed' || !Array.isArray(same)) continue;
    const ids = same.filter((id): id is string => typeof id === 'string');
    if (ids.length) out.set(l.runId!, [...(out.get(l.runId!) ?? []), ...ids]);
  }
  return out;
}

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
    await lockLinksForRegistry(query);
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
    // The versions copied from this one inherit its links with their decisions.
    await refreshLinks(query, [v]);
  });
  return (await versionLinks(db, v)).find((l) => l.id === linkId)!;
}
