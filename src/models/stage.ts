import type { PromotionPolicy } from '../config';
import type { Db } from '../db/client';
import { evaluatePolicy, refusal } from './policy';
import { type ModelVersion, resolveVersion, transitionStage } from './registry';
import { stageOf } from './uri';

export interface StageMove {
  name: string;
  version: number;
  stage: string;
  archiveExisting: boolean;
  comment?: string;
}

/**
 * Moves a version to a stage; to Production only when the promotion policy passes (else a 409 naming
 * each unmet rule). The policy is evaluated before the transaction, which must not read through another
 * connection (PGlite has one), and enforced inside it.
 */
export async function moveToStage(db: Db, policy: PromotionPolicy, actor: string, move: StageMove): Promise<ModelVersion> {
  const current = await resolveVersion(db, { name: move.name, version: move.version });
  const verdict = stageOf(move.stage) === 'Production' ? await evaluatePolicy(db, policy, current) : undefined;
  return transitionStage(db, actor, move, async () => {
    if (verdict && !verdict.passes) throw refusal(current, verdict);
  });
}
