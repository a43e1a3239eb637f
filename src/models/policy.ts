import { sql } from 'drizzle-orm';
import type { PromotionPolicy } from '../config';
import { type DomainError, forbidden, policyRefused } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey } from '../db/sql';
import { appendAudit } from './audit';
import { cardRow } from './cards';
import { versionLinks } from './links';
import type { ModelVersion } from './registry';
import { linkedTrainingRuns } from './training';

export interface RuleResult {
  rule: 'required_tags' | 'approvals' | 'model_card';
  ok: boolean;
  detail: string;
  missing?: string[];
}

export interface PolicyResult {
  passes: boolean;
  rules: RuleResult[];
}

export interface Approval {
  actor: string;
  comment: string | null;
  approvedAt: string;
}

export const approvalsOf = (db: Db, v: Pick<ModelVersion, 'name' | 'version'>) =>
  selectByKey<Approval>(
    db,
    sql`select actor, comment, ${iso(sql`approved_at`)} as "approvedAt" from model_approvals
      where model_name = ${v.name} and version = ${v.version} order by approved_at, actor`,
  );

/**
 * Whether a version may go to Production under `policy`: every required tag on its training run's tags
 * facet or on the version; enough approvals by others than the registrant; a model card with content.
 * Each rule says what is missing, so a refusal names everything to fix at once.
 */
export async function evaluatePolicy(
  db: Db,
  policy: PromotionPolicy,
  v: ModelVersion,
  /** The version's approvals, when the caller asks for them anyway. */
  approvalsFound: Promise<Approval[]> = approvalsOf(db, v),
): Promise<PolicyResult> {
  const [runs, allApprovals, card] = await Promise.all([
    versionLinks(db, v).then((links) => linkedTrainingRuns(db, links)),
    approvalsFound,
    cardRow(db, v),
  ]);
  const hasCard = Boolean(card?.markdown.trim());
  const tags = new Set([...Object.keys(v.tags), ...runs.flatMap((r) => Object.keys(r.tags))]);
  const missingTags = policy.requiredTags.filter((t) => !tags.has(t));
  const approvals = allApprovals.filter((a) => a.actor !== v.userId);
  const rules: RuleResult[] = [
    {
      rule: 'required_tags',
      ok: missingTags.length === 0,
      detail: missingTags.length
        ? `missing tag${missingTags.length > 1 ? 's' : ''} ${missingTags.join(', ')} (on the training run's tags facet or the version)${runs.length ? '' : '; no training run is linked'}`
        : `tags ${policy.requiredTags.join(', ') || '(none required)'} present`,
      ...(missingTags.length ? { missing: missingTags } : {}),
    },
    {
      rule: 'approvals',
      ok: approvals.length >= policy.approvals,
      detail: `${approvals.length} of ${policy.approvals} approval${policy.approvals === 1 ? '' : 's'} by someone other than the registrant${v.userId ? ` (${v.userId})` : ''}`,
    },
  ];
  if (policy.requireCard)
    rules.push({ rule: 'model_card', ok: hasCard, detail: hasCard ? 'model card present' : 'no model card (PUT …/card)' });
  return { passes: rules.every((r) => r.ok), rules };
}

/** 409 naming each unmet rule (its JSON pointer is /policy/<rule>). */
export function refusal(v: ModelVersion, result: PolicyResult): DomainError {
  const failed = result.rules.filter((r) => !r.ok);
  return policyRefused(
    `${v.name} version ${v.version} cannot move to Production: ${failed.map((r) => r.detail).join('; ')}`,
    failed.map((r) => ({ pointer: `/policy/${r.rule}`, message: r.detail })),
  );
}

/** An approval by `actor`, who must not be the registrant. Idempotent per actor. */
export async function approve(db: Db, actor: string, v: ModelVersion, comment?: string): Promise<Approval[]> {
  if (v.userId && actor === v.userId) throw forbidden(`${actor} registered ${v.name} version ${v.version} and cannot approve it`);
  await db.transaction(async (query) => {
    const inserted = await query(sql`insert into model_approvals (model_name, version, actor, comment, approved_at)
      values (${v.name}, ${v.version}, ${actor}, ${comment ?? null}, now()) on conflict do nothing returning actor`);
    if (inserted.length)
      await appendAudit(query, {
        actor,
        action: 'version.approved',
        modelName: v.name,
        version: v.version,
        detail: { comment: comment ?? null },
      });
  });
  return approvalsOf(db, v);
}

export interface RunCheck {
  runId: string;
  job: { namespace: string; name: string } | null;
  state: string | null;
  passes: boolean;
  rules: { rule: 'run_known' | 'run_completed' | 'required_tags'; ok: boolean; detail: string; missing?: string[] }[];
}

/**
 * The policy's part that a training run can meet before any version exists (for CI pipelines: `pedigree
 * check-run`): the run is known, it completed, and its tags facet carries every required tag.
 */
export async function checkRun(db: Db, policy: PromotionPolicy, runId: string): Promise<RunCheck> {
  const [run] = await selectByKey<{ namespace: string; name: string; state: string | null; tags: string[] }>(
    db,
    sql`select r.namespace, r.job_name as name, r.state, coalesce((
        select array_agg(e->>'key') from facet_rows f
        cross join lateral jsonb_array_elements(case when jsonb_typeof(f.value->'tags') = 'array' then f.value->'tags' else '[]' end) e
        where f.owner_id = r.id and f.name = 'tags' and f.owner_kind = 'run'), '{}') as tags
      from runs r where r.id = ${runId}::uuid`,
  );
  if (!run) {
    return {
      runId,
      job: null,
      state: null,
      passes: false,
      rules: [{ rule: 'run_known', ok: false, detail: `no OpenLineage run ${runId} has been received` }],
    };
  }
  const missing = policy.requiredTags.filter((t) => !run.tags.includes(t));
  const rules: RunCheck['rules'] = [
    { rule: 'run_known', ok: true, detail: `run of ${run.namespace}:${run.name}` },
    { rule: 'run_completed', ok: run.state === 'COMPLETE', detail: `state ${run.state ?? 'unknown (no state event yet)'}` },
    {
      rule: 'required_tags',
      ok: missing.length === 0,
      detail: missing.length
        ? `missing tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')} on the run's tags facet`
        : `tags ${policy.requiredTags.join(', ')} present`,
      ...(missing.length ? { missing } : {}),
    },
  ];
  return { runId, job: { namespace: run.namespace, name: run.name }, state: run.state, passes: rules.every((r) => r.ok), rules };
}
