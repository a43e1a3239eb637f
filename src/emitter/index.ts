/**
 * A small typed OpenLineage emitter for custom Node jobs (training jobs, scripts): sends events to Pedigree or
 * to any OpenLineage HTTP endpoint. Imports nothing from the rest of Pedigree, so a job can import it alone.
 *
 *   const lineage = createEmitter({ url: 'http://pedigree:5000', apiKey, producer: 'https://github.com/acme/train' });
 *   const run = { run: { runId: newRunId() }, job: { namespace: 'ml', name: 'train.resnet' }, inputs: [...] };
 *   await lineage.start(run);
 *   try { ...; await lineage.complete({ ...run, outputs: [...] }); } catch (e) { await lineage.fail(run, e); throw e; }
 */
import { buildRunEvent, errorMessageFacet, type RunDraft, type RunEventType } from './events';
import type { OpenLineageEvent } from './openlineage-types';
import { type EmitResult, post, type TransportOptions } from './transport';

export type { DatasetDraft, FacetDraft, FacetDrafts, InputDatasetDraft, OutputDatasetDraft, RunDraft, RunEventType } from './events';
export { buildRunEvent, errorMessageFacet, newRunId, RUN_EVENT_SCHEMA_URL } from './events';
export * from './openlineage-types';
export type { Deviation, EmitResult, ProblemDetails } from './transport';
export { EmitError, parseRetryAfter } from './transport';

export interface EmitterOptions {
  /** The endpoint's base URL, for example http://pedigree:5000. */
  url: string;
  /** Appended to `url`. Default: /api/v1/lineage. */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Time allowed for each attempt, answer included. Default: 10 000 ms. */
  timeoutMs?: number;
  /** Further attempts after a failed one (no answer, 429, 5xx). Default: 3. */
  retries?: number;
  /** Delay before the first retry, doubled for each next one (with jitter). Default: 500 ms. */
  backoffMs?: number;
  /** Longest wait between attempts, also for a server's Retry-After. Default: 30 000 ms. */
  maxDelayMs?: number;
  /** Gzip the body: true (always), false, or a number of bytes from which to compress. Default: true. */
  gzip?: boolean | number;
  /** The events' `producer` and the facets' `_producer`: a URI for your job's code (a repository URL at a version). */
  producer?: string;
  /**
   * Answer each event once Pedigree has normalized it (`Prefer: wait=normalized`), not as soon as it is
   * stored: for a job that reads its own lineage back right after sending it. The answer's body then says
   * `normalization`. Other OpenLineage endpoints ignore the header. Default: false.
   */
  waitNormalized?: boolean;
  /** The fetch to use (for tests, proxies, instrumentation). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface Emitter {
  /** The producer URI this emitter puts into events. */
  readonly producer: string;
  /** Sends one complete event (RunEvent, DatasetEvent or JobEvent) as it is. */
  emit(event: OpenLineageEvent): Promise<EmitResult>;
  /** Builds a RunEvent of this type from the draft (see buildRunEvent) and sends it. */
  emitRun(eventType: RunEventType, draft: RunDraft): Promise<EmitResult>;
  /** The run started. */
  start(draft: RunDraft): Promise<EmitResult>;
  /** The run completed. */
  complete(draft: RunDraft): Promise<EmitResult>;
  /** The run failed; with the error as the errorMessage run facet when one is given. */
  fail(draft: RunDraft, error?: unknown): Promise<EmitResult>;
}

/** The producer when none is given. Better: the URL of your job's repository at the version that runs. */
export const DEFAULT_PRODUCER = 'urn:pedigree:emitter';

export function createEmitter(options: EmitterOptions): Emitter {
  const transport = transportOptions(options);
  const producer = options.producer ?? DEFAULT_PRODUCER;
  const emitRun = (eventType: RunEventType, draft: RunDraft) => post(buildRunEvent(eventType, draft, producer), transport);
  return {
    producer,
    emit: (event) => post(event, transport),
    emitRun,
    start: (draft) => emitRun('START', draft),
    complete: (draft) => emitRun('COMPLETE', draft),
    fail: (draft, error) => {
      if (error === undefined || draft.run.facets?.errorMessage) return emitRun('FAIL', draft);
      return emitRun('FAIL', { ...draft, run: { ...draft.run, facets: { ...draft.run.facets, errorMessage: errorMessageFacet(error) } } });
    },
  };
}

function transportOptions(o: EmitterOptions): TransportOptions {
  const base = new URL(o.url); // throws on a malformed URL now rather than at the first event
  const endpoint = o.endpoint ?? '/api/v1/lineage';
  // Joined as text, not resolved: a base URL with a path (http://gateway/lineage-proxy) keeps it.
  const url = `${base.href.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
  const count = (name: string, value: number, min: number) => {
    if (!Number.isFinite(value) || value < min) throw new RangeError(`createEmitter: ${name} must be a number ≥ ${min}, got ${value}`);
    return value;
  };
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createEmitter: no global fetch (Node 18 or newer has one); pass options.fetch');
  const gzip = o.gzip ?? true;
  return {
    url,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    timeoutMs: count('timeoutMs', o.timeoutMs ?? 10_000, 1),
    retries: Math.floor(count('retries', o.retries ?? 3, 0)),
    backoffMs: count('backoffMs', o.backoffMs ?? 500, 0),
    maxDelayMs: count('maxDelayMs', o.maxDelayMs ?? 30_000, 0),
    gzipFromBytes: gzip === true ? 0 : gzip === false ? undefined : count('gzip', gzip, 0),
    ...(o.waitNormalized ? { waitNormalized: true } : {}),
    fetch: fetchImpl,
  };
}
