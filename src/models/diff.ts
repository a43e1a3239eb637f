import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db } from '../db/client';
import { selectByKey, uuidArray } from '../db/sql';
import { cardRow } from './cards';
import { versionLinks } from './links';
import { type ModelVersion, resolveVersion } from './registry';
import { type DatasetAtVersion, linkedTrainingRuns, type TrainingRun } from './training';
import type { ModelRef } from './uri';

type Field = { name: string; type: string | null };

export interface InputChange {
  namespace: string;
  name: string;
  change: 'added' | 'removed' | 'version_changed' | 'unchanged';
  from: string | null;
  to: string | null;
  schema: { added: Field[]; removed: Field[]; retyped: { name: string; from: string | null; to: string | null }[] } | null;
  /** The job that wrote each version, when it changed (an upstream job-version change). */
  producer: { from: Producer | null; to: Producer | null } | null;
}

interface Producer {
  namespace: string;
  name: string;
  version: string | null;
  runId: string;
}

export interface Cause {
  kind: 'schema' | 'input_version' | 'input_set' | 'code' | 'parameters' | 'upstream_job' | 'environment';
  summary: string;
  /** How likely this explains a regression, 0–1: ranks the list (a heuristic, said as such). */
  weight: number;
}

export interface ModelDiff {
  from: { name: string; version: number; stage: string; trainingRunIds: string[] };
  to: { name: string; version: number; stage: string; trainingRunIds: string[] };
  /** Why `from` was chosen when not asked for: the previous version that reached Production. */
  baseline: 'requested' | 'last_production';
  causes: Cause[];
  inputs: InputChange[];
  code: { from: TrainingRun['code']; to: TrainingRun['code']; changed: boolean };
  parameters: { name: string; from: string | null; to: string | null }[];
  tags: { name: string; from: string | null; to: string | null }[];
  metrics: { name: string; from: number | string | null; to: number | string | null; delta: number | null }[];
}

/**
 * Question 3: why might `to` behave differently from `from`? Their lineage side by side: inputs added or
 * removed, inputs read at another version (with each schema change and the upstream job that wrote it),
 * code, parameters, tags, metrics. Causes are ranked by a fixed weight per kind (a dropped or retyped
 * column first, then code, parameters, input versions, upstream jobs): a heuristic, named as one.
 */
export async function diffVersions(db: Db, name: string, toRef: ModelRef, fromRef: ModelRef | undefined): Promise<ModelDiff> {
  const to = await resolveVersion(db, toRef);
  const from = fromRef ? await resolveVersion(db, fromRef) : await lastProduction(db, to);
  const [a, b] = await Promise.all([lineageOf(db, from), lineageOf(db, to)]);
  const inputs = await compareInputs(db, a.runs, b.runs);
  const code = { from: a.runs[0]?.code ?? null, to: b.runs[0]?.code ?? null, changed: false };
  code.changed = (code.from?.gitCommit ?? null) !== (code.to?.gitCommit ?? null) || (code.from?.path ?? null) !== (code.to?.path ?? null);
  const parameters = compareMaps(merged(a.runs, 'parameters'), merged(b.runs, 'parameters'));
  const tags = compareMaps({ ...merged(a.runs, 'tags'), ...from.tags }, { ...merged(b.runs, 'tags'), ...to.tags }).filter(
    (t) => !IGNORED_TAGS.has(t.name),
  );
  const metrics = compareMetrics(a.metrics, b.metrics);
  return {
    from: { name, version: from.version, stage: from.stage, trainingRunIds: a.runs.map((r) => r.runId) },
    to: { name, version: to.version, stage: to.stage, trainingRunIds: b.runs.map((r) => r.runId) },
    baseline: fromRef ? 'requested' : 'last_production',
    causes: rank(inputs, code, parameters),
    inputs,
    code,
    parameters,
    tags,
    metrics,
  };
}

/** Tags that differ on every run by construction: not a cause (MLflow names each run, records its models and parent). */
const IGNORED_TAGS = new Set([
  'mlflow.run_id',
  'mlflow_run_id',
  'registry_run_id',
  'dataset_version',
  'git_commit',
  'mlflow.runName',
  'mlflow.log-model.history',
  'mlflow.parentRunId',
]);

/** The latest version before `to` that ever reached Production (from the audit log: stages can move on). */
async function lastProduction(db: Db, to: ModelVersion): Promise<ModelVersion> {
  const [row] = await selectByKey<{ version: number }>(
    db,
    sql`select a.version from audit_log a where a.model_name = ${to.name} and a.version < ${to.version}
      and a.action = 'version.stage_changed' and a.detail->>'to' = 'Production'
      order by a.version desc limit 1`,
  );
  if (!row) throw notFound(`no version of ${to.name} before ${to.version} reached Production: name one with from=`);
  return resolveVersion(db, { name: to.name, version: row.version });
}

async function lineageOf(db: Db, v: ModelVersion) {
  const [runs, card] = await Promise.all([versionLinks(db, v).then((l) => linkedTrainingRuns(db, l)), cardRow(db, v)]);
  // What the training runs logged (MLflow's latest values), under what the card and the version's tags say.
  const metrics: Record<string, number | string> = { ...merged(runs, 'metrics'), ...(card?.fields.metrics ?? {}) };
  for (const [k, value] of Object.entries(v.tags))
    if (k.startsWith('metric.') || k.startsWith('metrics.')) metrics[k.replace(/^metrics?\./, '')] = value;
  return { runs, metrics };
}

const merged = <K extends 'parameters' | 'tags' | 'metrics'>(runs: TrainingRun[], key: K) =>
  Object.assign({}, ...runs.map((r) => r[key])) as TrainingRun[K];

function compareMaps(a: Record<string, string>, b: Record<string, string>) {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((k) => a[k] !== b[k])
    .map((k) => ({ name: k, from: a[k] ?? null, to: b[k] ?? null }));
}

function compareMetrics(a: Record<string, number | string>, b: Record<string, number | string>) {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().map((k) => {
    const [x, y] = [a[k] ?? null, b[k] ?? null];
    const delta = x !== null && y !== null && Number.isFinite(Number(x)) && Number.isFinite(Number(y)) ? Number(y) - Number(x) : null;
    return { name: k, from: x, to: y, delta: delta === null ? null : Math.round(delta * 1e9) / 1e9 };
  });
}

async function compareInputs(db: Db, a: TrainingRun[], b: TrainingRun[]): Promise<InputChange[]> {
  const key = (d: DatasetAtVersion) => `${d.namespace}\u0000${d.name}`;
  const [before, after] = [
    new Map(a.flatMap((r) => r.inputs).map((d) => [key(d), d])),
    new Map(b.flatMap((r) => r.inputs).map((d) => [key(d), d])),
  ];
  const producers = await producersOf(
    db,
    [...before.values(), ...after.values()].flatMap((d) => (d.versionId ? [d.versionId] : [])),
  );
  const out: InputChange[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [x, y] = [before.get(k), after.get(k)];
    const d = (x ?? y)!;
    const change = !x ? 'added' : !y ? 'removed' : x.version !== y.version ? 'version_changed' : 'unchanged';
    const px = x?.versionId ? (producers.get(x.versionId) ?? null) : null;
    const py = y?.versionId ? (producers.get(y.versionId) ?? null) : null;
    out.push({
      namespace: d.namespace,
      name: d.name,
      change,
      from: x?.version ?? null,
      to: y?.version ?? null,
      schema: x?.fields && y?.fields ? schemaDiff(x.fields, y.fields) : null,
      producer: px?.version !== py?.version || px?.name !== py?.name ? { from: px, to: py } : null,
    });
  }
  return out;
}

async function producersOf(db: Db, versionIds: string[]): Promise<Map<string, Producer>> {
  if (versionIds.length === 0) return new Map();
  const rows = await selectByKey<Producer & { id: string }>(
    db,
    sql`select dv.id, r.namespace, r.job_name as name, jv.version::text as version, r.id as "runId"
      from dataset_versions dv join runs r on r.id = dv.run_id left join job_versions jv on jv.id = r.job_version_id
      where dv.id = any(${uuidArray(versionIds)})`,
  );
  return new Map(rows.map(({ id, ...p }) => [id, p]));
}

function schemaDiff(a: Field[], b: Field[]) {
  const [x, y] = [new Map(a.map((f) => [f.name, f])), new Map(b.map((f) => [f.name, f]))];
  const added = b.filter((f) => !x.has(f.name));
  const removed = a.filter((f) => !y.has(f.name));
  const retyped = a
    .filter((f) => y.has(f.name) && (y.get(f.name)!.type ?? null) !== (f.type ?? null))
    .map((f) => ({ name: f.name, from: f.type, to: y.get(f.name)!.type }));
  return added.length || removed.length || retyped.length ? { added, removed, retyped } : null;
}

function rank(inputs: InputChange[], code: ModelDiff['code'], parameters: ModelDiff['parameters']): Cause[] {
  const causes: Cause[] = [];
  for (const i of inputs) {
    const label = `${i.namespace}:${i.name}`;
    if (i.change === 'added') causes.push({ kind: 'input_set', summary: `new input ${label} (version ${i.to ?? 'unknown'})`, weight: 0.7 });
    if (i.change === 'removed') causes.push({ kind: 'input_set', summary: `input ${label} no longer read`, weight: 0.7 });
    if (i.schema?.removed.length || i.schema?.retyped.length) {
      const parts = [
        ...i.schema.removed.map((f) => `column ${f.name} dropped`),
        ...i.schema.retyped.map((f) => `column ${f.name} retyped ${f.from} -> ${f.to}`),
      ];
      causes.push({ kind: 'schema', summary: `${label} ${i.from} -> ${i.to}: ${parts.join(', ')}`, weight: 0.9 });
    } else if (i.schema?.added.length) {
      causes.push({
        kind: 'schema',
        summary: `${label} ${i.from} -> ${i.to}: columns added ${i.schema.added.map((f) => f.name).join(', ')}`,
        weight: 0.55,
      });
    }
    if (i.change === 'version_changed' && !i.schema)
      causes.push({ kind: 'input_version', summary: `${label} read at ${i.to} instead of ${i.from}`, weight: 0.6 });
    if (i.producer && i.change !== 'added' && i.change !== 'removed') {
      const p = i.producer;
      causes.push({
        kind: 'upstream_job',
        summary: `${label} written by ${p.to ? `${p.to.namespace}:${p.to.name} version ${p.to.version}` : 'an unknown job'} (was ${p.from ? `${p.from.namespace}:${p.from.name} version ${p.from.version}` : 'unknown'})`,
        weight: 0.5,
      });
    }
  }
  if (code.changed)
    causes.push({ kind: 'code', summary: `code ${code.from?.gitCommit ?? 'unknown'} -> ${code.to?.gitCommit ?? 'unknown'}`, weight: 0.75 });
  for (const p of parameters)
    causes.push({ kind: 'parameters', summary: `parameter ${p.name} ${p.from ?? '(unset)'} -> ${p.to ?? '(unset)'}`, weight: 0.65 });
  return causes.sort((x, y) => y.weight - x.weight);
}
