import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { select, uuidArray } from '../db/sql';
import { ids } from '../ids';
import { inputVersionId } from '../read/json';
import { missing } from '../read/owned';
import { currentDeploymentsJson, type Deployment } from './deployments';
import { sameRunsOf } from './link-evidence';
import { confirmedRunLink, linksWithDecisions } from './links';
import { type ModelVersion, versionJson } from './registry';

/** Runs reached from the dataset; past this the answer says it was cut short rather than run away. */
const MAX_REACHED_RUNS = 50_000;

export interface ModelConsumer {
  model: string;
  version: number;
  stage: string;
  aliases: string[];
  /** What the version serves now (its current deployments). */
  deployments: Deployment[];
  /** In the Production stage. */
  inProduction: boolean;
  /** Served somewhere now. */
  deployed: boolean;
  /**
   * The training run, as question 1 names it. The path's last job is the run that read the data: another run
   * when an integration reported the same training under its own run (an Airflow task, for an MLflow run).
   */
  trainingRunId: string;
  /** How the data got there: the dataset (at the version read), then each job and what it wrote, to the training job. */
  path: { kind: 'dataset' | 'job'; namespace: string; name: string; version?: string | null; runId?: string }[];
  direct: boolean;
}

interface Reached {
  run_id: string;
  depth: number;
  prev_run: string | null;
  via_dataset: string;
  via_namespace: string;
  via_name: string;
  via_version: string | null;
  job_namespace: string;
  job_name: string;
}

/**
 * Question 2: the model versions trained on a dataset (at a version), directly or through downstream
 * jobs. Provenance is followed run by run: the runs that read the dataset (at that version), the dataset
 * versions they wrote, the runs that read those versions, and so on; a model version counts when one of
 * its confirmed training runs is among them. So a model trained before the version existed, or on another
 * branch of the graph, is not named.
 */
export async function modelsTrainedOn(
  db: Db,
  dataset: { namespace: string; name: string },
  /** depth: job hops downstream of the dataset; null follows them all. */
  options: { version?: string; transitive: boolean; depth: number | null },
): Promise<{ dataset: typeof dataset & { version: string | null }; models: ModelConsumer[]; truncated: boolean }> {
  const datasetId = ids.dataset(dataset.namespace, dataset.name);
  const [exists] = await select(db, sql`select 1 from datasets where id = ${datasetId}`);
  if (!exists) throw await missing(db, dataset.namespace, 'Dataset', dataset.name);
  const version = options.version ?? null;
  const { runs: reached, truncated } = await reachRuns(db, datasetId, version, options.transitive ? options.depth : 0);
  const byRun = new Map(reached.map((r) => [r.run_id, r]));
  const models = (await trainedBy(db, [...byRun.keys()])).map(({ version, runs, deployments }) => {
    const [best] = runs
      .map((r) => ({ reached: byRun.get(r.run)!, training: r.training }))
      .sort((a, b) => a.reached.depth - b.reached.depth);
    return consumer(version, deployments, best!.reached, byRun, best!.training);
  });
  const live = (m: ModelConsumer) => Number(m.inProduction) + Number(m.deployed);
  models.sort((a, b) => live(b) - live(a) || (a.model < b.model ? -1 : a.model > b.model ? 1 : b.version - a.version));
  return { dataset: { ...dataset, version }, models, truncated };
}

/**
 * The runs that derive from the dataset (at the version): first the set (one recursive statement, each run
 * once, so many paths to a run cost nothing), then the edges among them (which version of what each run
 * read from which other), from which a breadth-first search gives each run its depth and one shortest path.
 */
async function reachRuns(
  db: Db,
  datasetId: string,
  version: string | null,
  depth: number | null,
): Promise<{ runs: Reached[]; truncated: boolean }> {
  const bounded = depth !== null;
  const step = sql`
      join dataset_versions dv on dv.run_id = x.run_id
      join run_io io on io.dataset_id = dv.dataset_id and io.direction = 'in' and io.run_id <> x.run_id
      join runs r on r.id = io.run_id
      where ${inputVersionId('io', 'r')} = dv.id`;
  const seeds = await select<{ run_id: string; via_version: string | null }>(
    db,
    sql`select io.run_id, coalesce(io.version, dv.version) as via_version
      from run_io io join runs r on r.id = io.run_id
      left join dataset_versions dv on dv.id = ${inputVersionId('io', 'r')}
      where io.dataset_id = ${datasetId} and io.direction = 'in'
        and (${version}::text is null or io.version = ${version}::text or dv.version = ${version}::text or dv.id::text = ${version}::text)`,
  );
  if (seeds.length === 0) return { runs: [], truncated: false };
  const seedIds = uuidArray(seeds.map((x) => x.run_id));
  const all =
    depth === 0
      ? seeds.map((x) => x.run_id)
      : (
          await select<{ run_id: string }>(
            db,
            bounded
              ? sql`with recursive reach(run_id, depth) as (
                  select unnest(${seedIds}), 0 union select io.run_id, x.depth + 1 from reach x ${step} and x.depth < ${depth})
                select distinct run_id from reach limit ${MAX_REACHED_RUNS + 1}`
              : sql`with recursive reach(run_id) as (select unnest(${seedIds}) union select io.run_id from reach x ${step})
                select run_id from reach limit ${MAX_REACHED_RUNS + 1}`,
          )
        ).map((x) => x.run_id);
  const truncated = all.length > MAX_REACHED_RUNS;
  const runs = uuidArray(all.slice(0, MAX_REACHED_RUNS));
  const [info, edges] = [
    await select<{ id: string; namespace: string; job_name: string }>(
      db,
      sql`select id, namespace, job_name from runs where id = any(${runs})`,
    ),
    depth === 0
      ? []
      : await select<{ run: string; prev: string; namespace: string; name: string; version: string | null; dataset: string }>(
          db,
          sql`select io.run_id as run, dv.run_id as prev, d.id as dataset, d.namespace, d.name, coalesce(io.version, dv.version) as version
          from run_io io join runs r on r.id = io.run_id
          join dataset_versions dv on dv.id = ${inputVersionId('io', 'r')}
          join datasets d on d.id = dv.dataset_id
          where io.run_id = any(${runs}) and io.direction = 'in' and dv.run_id = any(${runs}) and io.run_id <> dv.run_id
          order by d.namespace, d.name, dv.run_id`,
        ),
  ];
  const jobOf = new Map(info.map((r) => [r.id, r]));
  const [start] = await select<{ namespace: string; name: string }>(db, sql`select namespace, name from datasets where id = ${datasetId}`);
  const out = new Map<string, Reached>();
  const make = (
    run: string,
    d: number,
    prev: string | null,
    via: { dataset: string; namespace: string; name: string; version: string | null },
  ): Reached => ({
    run_id: run,
    depth: d,
    prev_run: prev,
    via_dataset: via.dataset,
    via_namespace: via.namespace,
    via_name: via.name,
    via_version: via.version,
    job_namespace: jobOf.get(run)?.namespace ?? '',
    job_name: jobOf.get(run)?.job_name ?? '',
  });
  let frontier: string[] = [];
  for (const s of seeds) {
    if (out.has(s.run_id)) continue;
    out.set(
      s.run_id,
      make(s.run_id, 0, null, { dataset: datasetId, namespace: start!.namespace, name: start!.name, version: s.via_version }),
    );
    frontier.push(s.run_id);
  }
  const readers = new Map<string, typeof edges>();
  for (const e of edges) readers.set(e.prev, [...(readers.get(e.prev) ?? []), e]);
  for (let d = 1; frontier.length && (depth === null || d <= depth); d++) {
    const next: string[] = [];
    for (const prev of frontier) {
      for (const e of readers.get(prev) ?? []) {
        if (out.has(e.run)) continue;
        out.set(e.run, make(e.run, d, prev, e));
        next.push(e.run);
      }
    }
    frontier = next;
  }
  return { runs: [...out.values()], truncated };
}

/**
 * The versions trained by some of the runs (a confirmed training run among them, or a run that was the same
 * training as one: link-evidence.ts), each with those runs (`run`) and the training run each stands for
 * (`training`), and what it serves now: one statement over the stored links, whatever the number of versions.
 */
async function trainedBy(db: Db, runIds: string[]) {
  if (runIds.length === 0) return [];
  const runs = uuidArray(runIds);
  return select<{ version: ModelVersion; runs: { run: string; training: string }[]; deployments: Deployment[] }>(
    db,
    sql`select ${versionJson('v')} as version, c.runs, ${currentDeploymentsJson('v')} as deployments
    from (select x.model_name, x.version, json_agg(json_build_object('run', x.run, 'training', x.training) order by x.run) as runs from (
        select l.model_name, l.version, l.run_id as run, l.run_id as training from ${linksWithDecisions}
        where l.run_id = any(${runs}) and ${confirmedRunLink}
        union
        select l.model_name, l.version, s.run, l.run_id from ${linksWithDecisions}
        cross join lateral ${sameRunsOf(sql`l`)} as s(run)
        where l.evidence ? 'sameRuns' and ${confirmedRunLink} and s.run = any(${runs})) x
      group by x.model_name, x.version) c
    join model_versions v on v.model_name = c.model_name and v.version = c.version
    order by v.model_name, v.version`,
  );
}

function consumer(v: ModelVersion, deployments: Deployment[], run: Reached, byRun: Map<string, Reached>, training: string): ModelConsumer {
  const path: ModelConsumer['path'] = [];
  // Walk back from the training run to the run that read the dataset asked about.
  const chain: Reached[] = [];
  for (let r: Reached | undefined = run; r; r = r.prev_run ? byRun.get(r.prev_run) : undefined) chain.unshift(r);
  for (const step of chain) {
    path.push({ kind: 'dataset', namespace: step.via_namespace, name: step.via_name, version: step.via_version });
    path.push({ kind: 'job', namespace: step.job_namespace, name: step.job_name, runId: step.run_id });
  }
  return {
    model: v.name,
    version: v.version,
    stage: v.stage,
    aliases: v.aliases,
    deployments,
    inProduction: v.stage === 'Production',
    deployed: deployments.length > 0,
    trainingRunId: training,
    path,
    direct: run.depth === 0,
  };
}
