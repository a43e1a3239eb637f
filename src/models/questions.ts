import type { PromotionPolicy } from '../config';
import type { Db } from '../db/client';
import { ids } from '../ids';
import { type GraphNode, lineageGraph } from '../read/lineage';
import { type AuditRecord, versionHistory } from './audit';
import { type Deployment, listDeployments } from './deployments';
import { type Link, versionLinks } from './links';
import { type Approval, approvalsOf, evaluatePolicy, type PolicyResult } from './policy';
import { type ModelVersion, resolveVersion } from './registry';
import { linkedTrainingRuns, type TrainingRun } from './training';
import type { ModelRef } from './uri';

/** The version as the four questions describe it. */
const summary = (v: ModelVersion) => ({
  name: v.name,
  version: v.version,
  stage: v.stage,
  aliases: v.aliases,
  source: v.source,
  runId: v.runId,
  description: v.description,
  registeredBy: v.userId,
  registeredAt: v.createdAt,
  tags: v.tags,
});

export interface ModelLineage {
  model: ReturnType<typeof summary>;
  trainingRuns: TrainingRun[];
  /** Every link with its evidence, candidates and rejected ones included. */
  links: Link[];
  /** The lineage upstream of the training jobs, in Marquez's graph shape. */
  upstream: { graph: GraphNode[] };
}

/** Question 1: which data (which versions), which code and which parameters produced this version. */
export async function modelLineage(db: Db, ref: ModelRef, depth: number | null): Promise<ModelLineage> {
  const v = await resolveVersion(db, ref);
  const links = await versionLinks(db, v);
  const runs = await linkedTrainingRuns(db, links);
  const nodes = new Map<string, GraphNode>();
  // Upstream of every job that ran the training, those of the runs that were the same training too.
  const trainingJobs = runs.flatMap((r) => [r.job, ...r.sameTraining.map((s) => s.job)]);
  const jobs = [...new Map(trainingJobs.map((j) => [`${j.namespace}\u0000${j.name}`, j])).values()];
  const graphs = await Promise.all(
    jobs.map((job) =>
      lineageGraph(
        db,
        { type: 'job', id: ids.job(job.namespace, job.name), namespace: job.namespace, name: job.name },
        { depth, direction: 'upstream' },
      ),
    ),
  );
  for (const { graph } of graphs) for (const n of graph) if (!nodes.has(n.id)) nodes.set(n.id, n);
  const graph = [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { model: summary(v), trainingRuns: runs, links, upstream: { graph } };
}

export interface ModelApproval {
  model: ReturnType<typeof summary>;
  /** In Production and the policy passes now. */
  approvedForProduction: boolean;
  policy: PolicyResult;
  approvals: Approval[];
  /** Every audit entry of the version (and of the model as a whole), oldest first, with its actor. */
  history: AuditRecord[];
  deployments: Deployment[];
}

/** Question 4: is this version approved for production, by whom, when, and what does the policy say. */
export async function modelApproval(db: Db, policy: PromotionPolicy, ref: ModelRef): Promise<ModelApproval> {
  const v = await resolveVersion(db, ref);
  const approvalsFound = approvalsOf(db, v);
  const [result, approvals, history, deployments] = await Promise.all([
    evaluatePolicy(db, policy, v, approvalsFound),
    approvalsFound,
    versionHistory(db, v.name, v.version),
    listDeployments(db, { model: v.name, version: v.version }),
  ]);
  return {
    model: summary(v),
    approvedForProduction: v.stage === 'Production' && result.passes,
    policy: result,
    approvals,
    history,
    deployments,
  };
}
