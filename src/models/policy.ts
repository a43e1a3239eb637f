import { sql } from 'drizzle-orm';
import type { PromotionPolicy } from '../config';
import type { Db } from '../db/client';
import { Problem } from '../http/problem';
import { iso, select } from '../read/sql';
import { appendAudit } from './audit';
import { RegistryProblem } from './errors';
import { trainingRuns, versionLinks } from './links';
import type { ModelVersion } from './registry';
import { trainingRunDetails } from './training';

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
  select<Approval>(
    db,
    sql`select actor, comment, ${iso('approved_at')} as "approvedAt" from model_approvals
      where model_name = ${v.name} and version = ${v.version} order by approved_at, actor`,
  );

/**
 * Whether a version may go to Production under `policy`: every required tag on its training run's tags
 * facet or on the version; enough approvals by others than the registrant; a model card with content.
 * Each rule says what is missing, so a refusal names everything to fix at once.
 */
export async function evaluatePolicy(db: Db, policy: PromotionPolicy, v: ModelVersion): Promise<PolicyResult> {
  const runs = await trainingRunDetails(db, trainingRuns(await versionLinks(db, v)));
  const tags = new Set([...Object.keys(v.tags), ...runs.flatMap((r) => Object.keys(r.tags))]);
  const missingTags = policy.requiredTags.filter((t) => !tags.has(t));
  const approvals = (await approvalsOf(db, v)).filter((a) => a.actor !== v.userId);
  const [card] = await select<{ ok: boolean }>(
    db,
    sql`select length(trim(markdown)) > 0 as ok from model_cards where model_name = ${v.name} and version = ${v.version}`,
  );
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
    rules.push({ rule: 'model_card', ok: Boolean(card?.ok), detail: card?.ok ? 'model card present' : 'no model card (PUT …/card)' });
  return { passes: rules.every((r) => r.ok), rules };
}

/** 409 naming each unmet rule (its JSON pointer is /policy/<rule>). */
export function refusal(v: ModelVersion, result: PolicyResult): RegistryProblem {
  const failed = result.rules.filter((r) => !r.ok);
  return new RegistryProblem(
    409,
    'INVALID_STATE',
    `${v.name} version ${v.version} cannot move to Production: ${failed.map((r) => r.detail).join('; ')}`,
    failed.map((r) => ({ pointer: `/policy/${r.rule}`, message: r.detail })),
  );
}

/** An approval by `actor`, who must not be the registrant. Idempotent per actor. */
export async function approve(db: Db, actor: string, v: ModelVersion, comment?: string): Promise<Approval[]> {
  if (v.userId && actor === v.userId)
    throw new Problem(403, 'Forbidden', `${actor} registered ${v.name} version ${v.version} and cannot approve it`);
  await db.transaction(async (query) => {
    const inserted = await query(
      `insert into model_approvals (model_name, version, actor, comment, approved_at) values ($1, $2, $3, $4, now())
       on conflict do nothing returning actor`,
      [v.name, v.version, actor, comment ?? null],
    );
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
