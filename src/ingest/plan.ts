import type { Deviation } from '../core/errors';
import { isObject, type Json, pointer } from '../core/json';
import { UUID } from '../core/uuid';
import type * as s from '../db/schema';
import { ids, jobVersionOf, sha256Hex } from '../ids';
import type { Named, UnderstoodEvent } from './understand';

type Insert<T extends { $inferInsert: unknown }> = T['$inferInsert'];

/** Every row one event contributes to the normalized model. Built without touching the database. */
export interface EventPlan {
  event: Insert<typeof s.lineageEvents>;
  namespaces: Insert<typeof s.namespaces>[];
  sources: Insert<typeof s.sources>[];
  datasets: Insert<typeof s.datasets>[];
  datasetVersions: Insert<typeof s.datasetVersions>[];
  datasetFields: Insert<typeof s.datasetFields>[];
  datasetSymlinks: Insert<typeof s.datasetSymlinks>[];
  columnLineage: Insert<typeof s.columnLineage>[];
  jobs: Insert<typeof s.jobs>[];
  jobVersions: Insert<typeof s.jobVersions>[];
  jobVersionIo: Insert<typeof s.jobVersionIo>[];
  jobIo: Insert<typeof s.jobIo>[];
  runs: Insert<typeof s.runs>[];
  runIo: Insert<typeof s.runIo>[];
  facets: Insert<typeof s.facets>[];
  /** Runs whose job version must be recomputed once this event is written. */
  versionRuns: { runId: string; runJobId: string }[];
}

/** Facet keys are part of a btree key; longer ones are kept in the raw event only. */
export const MAX_FACET_KEY = 255;
const TERMINAL = new Set(['COMPLETE', 'FAIL', 'ABORT']);

type FacetOwnerKind = Insert<typeof s.facets>['ownerKind'];

/**
 * Maps one understood event to rows; what it has to leave out is added to `warnings`. `eventId` is the stored event's id (from its content hash); it
 * breaks ties between events with the same event time, so merges stay deterministic.
 */
export function planEvent(u: UnderstoodEvent, eventId: string, raw: string, warnings: Deviation[]): EventPlan {
  const t = u.eventTime;
  const e = u.event;
  const plan: EventPlan = {
    event: {
      id: eventId,
      kind: u.kind,
      eventType: u.kind === 'run' ? (u.eventType ?? 'OTHER') : null,
      eventTime: t,
      runId: u.runId,
      jobId: u.job ? ids.job(u.job.namespace, u.job.name) : null,
      datasetId: u.dataset ? ids.dataset(u.dataset.namespace, u.dataset.name) : null,
      producer: typeof e.producer === 'string' ? e.producer : null,
      schemaUrl: typeof e.schemaURL === 'string' ? e.schemaURL : null,
      warnings: null,
      raw,
    },
    namespaces: [],
    sources: [],
    datasets: [],
    datasetVersions: [],
    datasetFields: [],
    datasetSymlinks: [],
    columnLineage: [],
    jobs: [],
    jobVersions: [],
    jobVersionIo: [],
    jobIo: [],
    runs: [],
    runIo: [],
    facets: [],
    versionRuns: [],
  };
  const span = { createdAt: t, updatedAt: t };
  const latest = { latestTime: t, latestEventId: eventId };

  const namespace = (name: string) => {
    const id = ids.namespace(name);
    plan.namespaces.push({ id, name, ...span });
    return id;
  };

  // A dataset's (or job's) facets are stored under several owners: serialize each facet once.
  const serialized = new Map<unknown, string>();
  const json = (facet: unknown) => {
    let text = serialized.get(facet);
    if (text === undefined) {
      text = JSON.stringify(facet ?? null);
      serialized.set(facet, text);
    }
    return text;
  };

  const facetsOf = (owner: string, kind: FacetOwnerKind, value: unknown, at: string, runId: string | null) => {
    if (!isObject(value)) return;
    for (const [name, facet] of Object.entries(value)) {
      if (name.length > MAX_FACET_KEY) {
        warnings.push({
          pointer: `${at}${pointer(name)}`,
          message: `facet key longer than ${MAX_FACET_KEY} characters; kept in the raw event only`,
        });
        continue;
      }
      plan.facets.push({ ownerId: owner, name, ownerKind: kind, value: json(facet), runId, eventTime: t, eventId });
    }
  };

  const dataset = (d: Named, extra: Partial<Insert<typeof s.datasets>> = {}) => {
    const id = ids.dataset(d.namespace, d.name);
    plan.datasets.push({
      id,
      namespaceId: namespace(d.namespace),
      namespace: d.namespace,
      name: d.name,
      ...span,
      lastModifiedAt: null,
      ...extra,
    });
    return id;
  };

  /** What a dataset's own facets say: data source, schema fields, symlinks. */
  const datasetFacets = (datasetId: string, facets: unknown) => {
    if (!isObject(facets)) return;
    const source = facets.dataSource;
    if (isObject(source) && typeof source.name === 'string' && source.name !== '') {
      plan.sources.push({
        id: ids.source(source.name),
        name: source.name,
        connectionUrl: typeof source.uri === 'string' ? source.uri : null,
        ...span,
        ...latest,
      });
    }
    const schema = facets.schema;
    if (isObject(schema) && Array.isArray(schema.fields)) {
      for (const f of flattenFields(schema.fields)) {
        plan.datasetFields.push({ id: ids.datasetField(datasetId, f.path), datasetId, name: f.path, parentName: f.parent, ...span });
      }
    }
    const symlinks = facets.symlinks;
    if (isObject(symlinks) && Array.isArray(symlinks.identifiers)) {
      for (const target of symlinks.identifiers) {
        const n = asNamed(target);
        if (!n) continue;
        const targetId = dataset(n);
        plan.datasetSymlinks.push({
          id: ids.symlink(datasetId, targetId),
          datasetId,
          targetId,
          targetNamespace: n.namespace,
          targetName: n.name,
          type: isObject(target) && typeof target.type === 'string' ? target.type : null,
          ...span,
        });
      }
    }
  };

  if (u.kind === 'dataset' && u.dataset) {
    const id = dataset(u.dataset);
    const d = e.dataset as Json;
    datasetFacets(id, d.facets);
    facetsOf(id, 'dataset', d.facets, '/dataset/facets', null);
    return plan;
  }

  const job = u.job!;
  const jobId = ids.job(job.namespace, job.name);
  const jobRow: Insert<typeof s.jobs> = {
    id: jobId,
    namespaceId: namespace(job.namespace),
    namespace: job.namespace,
    name: job.name,
    parentJobId: null,
    ...span,
  };
  plan.jobs.push(jobRow);
  const jobFacets = (e.job as Json).facets;
  facetsOf(jobId, 'job', jobFacets, '/job/facets', u.runId);

  const io: { direction: 'in' | 'out'; d: Named; item: Json; index: number }[] = [];
  for (const [direction, key] of [
    ['in', 'inputs'],
    ['out', 'outputs'],
  ] as const) {
    const list = e[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      const d = asNamed(item);
      if (d) io.push({ direction, d, item: item as Json, index });
      else warnings.push({ pointer: pointer(key, index), message: 'dataset without a namespace and name; ignored' });
    });
  }

  if (u.kind === 'job') {
    const keys: string[] = [];
    for (const { direction, d, item, index } of io) {
      const at = pointer(direction === 'in' ? 'inputs' : 'outputs', index);
      const datasetId = dataset(d);
      datasetFacets(datasetId, item.facets);
      facetsOf(datasetId, 'dataset', item.facets, `${at}/facets`, null);
      plan.jobIo.push({ id: ids.jobIo(jobId, direction, datasetId), jobId, datasetId, direction, ...span, lastRunId: null, ...latest });
      keys.push(`${direction}:${datasetId}`);
    }
    // A JobEvent declares the job's static definition: its version is its code and declared IO.
    const version = jobVersionOf(jobId, codeHash(jobFacets), keys);
    const versionId = ids.jobVersion(jobId, version);
    plan.jobVersions.push({ id: versionId, jobId, version, declared: true, ...span });
    for (const { direction, d } of io)
      plan.jobVersionIo.push({ jobVersionId: versionId, datasetId: ids.dataset(d.namespace, d.name), direction });
    jobRow.currentVersionId = versionId;
    jobRow.currentVersionTime = t;
    return plan;
  }

  // RunEvent
  const runId = u.runId!;
  const runFacets = (e.run as Json).facets;
  const state = u.eventType && u.eventType !== 'OTHER' ? u.eventType : null;
  const run: Insert<typeof s.runs> = {
    id: runId,
    jobId,
    namespace: job.namespace,
    jobName: job.name,
    parentRunId: null,
    state,
    stateTerminal: state ? TERMINAL.has(state) : null,
    stateTime: state ? t : null,
    stateEventId: state ? eventId : null,
    startedAt: state === 'START' ? t : null,
    endedAt: state && TERMINAL.has(state) ? t : null,
    ...span,
  };
  const code = codeHash(jobFacets);
  if (code !== null) Object.assign(run, { codeHash: code, codeTime: t, codeEventId: eventId });
  plan.runs.push(run);
  facetsOf(runId, 'run', runFacets, '/run/facets', runId);
  const runJobId = ids.runJob(runId);
  facetsOf(runJobId, 'run_job', jobFacets, '/job/facets', runId);
  plan.versionRuns.push({ runId, runJobId });

  const parent = isObject(runFacets) ? runFacets.parent : undefined;
  if (isObject(parent)) {
    const parentJob = asNamed(parent.job);
    const parentRunId =
      isObject(parent.run) && typeof parent.run.runId === 'string' && UUID.test(parent.run.runId) ? parent.run.runId.toLowerCase() : null;
    if (parentJob && parentRunId && parentRunId !== runId) {
      const parentJobId = ids.job(parentJob.namespace, parentJob.name);
      plan.jobs.push({
        id: parentJobId,
        namespaceId: namespace(parentJob.namespace),
        namespace: parentJob.namespace,
        name: parentJob.name,
        parentJobId: null,
        ...span,
      });
      if (parentJobId !== jobId) Object.assign(jobRow, { parentJobId, ...latest });
      plan.runs.push({
        id: parentRunId,
        jobId: parentJobId,
        namespace: parentJob.namespace,
        jobName: parentJob.name,
        parentRunId: null,
        ...span,
      });
      Object.assign(run, { parentRunId, parentTime: t, parentEventId: eventId });
    } else {
      warnings.push({
        pointer: '/run/facets/parent',
        message: 'parent facet without a valid run.runId and job namespace/name; hierarchy not recorded',
      });
    }
  }

  for (const { direction, d, item, index } of io) {
    const at = pointer(direction === 'in' ? 'inputs' : 'outputs', index);
    const datasetId = dataset(d, direction === 'out' ? { lastModifiedAt: t } : {});
    const edgeId = ids.runIo(runId, direction, datasetId);
    const explicit = datasetVersionOf(item.facets);
    datasetFacets(datasetId, item.facets);
    facetsOf(datasetId, 'dataset', item.facets, `${at}/facets`, null);
    plan.jobIo.push({ id: ids.jobIo(jobId, direction, datasetId), jobId, datasetId, direction, ...span, lastRunId: runId, ...latest });
    const versionGuard = { versionExplicit: explicit !== null, ...latest };
    let datasetVersionId: string | null = null;
    if (direction === 'in') {
      facetsOf(ids.inputDataset(edgeId), 'input_dataset', item.facets, `${at}/facets`, runId);
      facetsOf(edgeId, 'input', item.inputFacets, `${at}/inputFacets`, runId);
    } else {
      datasetVersionId = ids.datasetVersion(datasetId, runId);
      const version = explicit ?? runId;
      plan.datasetVersions.push({
        id: datasetVersionId,
        datasetId,
        runId,
        version,
        versionKey: ids.versionKey(datasetId, version),
        ...span,
        ...versionGuard,
      });
      facetsOf(datasetVersionId, 'dataset_version', item.facets, `${at}/facets`, runId);
      facetsOf(edgeId, 'output', item.outputFacets, `${at}/outputFacets`, runId);
      columnLineageOf(plan, datasetId, datasetVersionId, runId, item.facets, dataset, span, latest);
    }
    plan.runIo.push({
      id: edgeId,
      runId,
      datasetId,
      direction,
      version: explicit,
      versionKey: explicit === null ? null : ids.versionKey(datasetId, explicit),
      datasetVersionId,
      ...span,
      ...versionGuard,
    });
  }
  return plan;
}

function asNamed(v: unknown): Named | null {
  return isObject(v) && typeof v.namespace === 'string' && typeof v.name === 'string' && v.namespace !== '' && v.name !== ''
    ? { namespace: v.namespace, name: v.name }
    : null;
}

function datasetVersionOf(facets: unknown): string | null {
  if (!isObject(facets) || !isObject(facets.version)) return null;
  const v = facets.version.datasetVersion;
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/** Schema fields, nested ones included, as dotted paths (`address.city`). */
export function flattenFields(fields: unknown[], parent: string | null = null, depth = 0): { path: string; parent: string | null }[] {
  const out: { path: string; parent: string | null }[] = [];
  if (depth > 64) return out;
  for (const f of fields) {
    if (!isObject(f) || typeof f.name !== 'string') continue;
    const path = parent === null ? f.name : `${parent}.${f.name}`;
    out.push({ path, parent });
    if (Array.isArray(f.fields)) out.push(...flattenFields(f.fields, path, depth + 1));
  }
  return out;
}

/**
 * What identifies a job's code: its source-code location, SQL and source code facets (not who produced
 * them). Null when the event carries none, so that it does not erase what another event said.
 */
export function codeHash(jobFacets: unknown): string | null {
  if (!isObject(jobFacets)) return null;
  const parts: string[] = [];
  for (const name of ['sourceCode', 'sourceCodeLocation', 'sql'] as const) {
    const f = jobFacets[name];
    if (!isObject(f)) continue;
    const fields = Object.entries(f)
      .filter(([k]) => !k.startsWith('_'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    parts.push(`${name}=${JSON.stringify(Object.fromEntries(fields))}`);
  }
  return parts.length ? sha256Hex(parts.join('\n')) : null;
}

function columnLineageOf(
  plan: EventPlan,
  outputId: string,
  versionId: string,
  runId: string,
  facets: unknown,
  dataset: (d: Named) => string,
  span: { createdAt: string; updatedAt: string },
  latest: { latestTime: string; latestEventId: string },
) {
  if (!isObject(facets) || !isObject(facets.columnLineage)) return;
  const cl = facets.columnLineage;
  const edge = (outputField: string | null, input: unknown, fieldLevel: unknown) => {
    const n = asNamed(input);
    if (!n || !isObject(input)) return;
    const inputField = typeof input.field === 'string' ? input.field : null;
    const inputId = dataset(n);
    const transformations =
      input.transformations ??
      (isObject(fieldLevel) && (fieldLevel.transformationType || fieldLevel.transformationDescription)
        ? [{ type: fieldLevel.transformationType ?? null, description: fieldLevel.transformationDescription ?? null }]
        : null);
    plan.columnLineage.push({
      id: ids.columnEdge(outputId, outputField, inputId, inputField),
      outputDatasetId: outputId,
      outputField,
      inputDatasetId: inputId,
      inputField,
      transformations: transformations === null ? null : JSON.stringify(transformations),
      runId,
      outputVersionId: versionId,
      ...span,
      ...latest,
    });
  };
  if (isObject(cl.fields)) {
    for (const [outputField, spec] of Object.entries(cl.fields)) {
      if (isObject(spec) && Array.isArray(spec.inputFields)) for (const input of spec.inputFields) edge(outputField, input, spec);
    }
  }
  if (Array.isArray(cl.dataset)) for (const input of cl.dataset) edge(null, input, null);
}
