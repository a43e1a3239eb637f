/**
 * Building spec-valid RunEvents from what a job knows: the emitter fills in what the spec requires and the job
 * should not have to repeat (eventTime, producer, schemaURL, and each facet's `_producer` and `_schemaURL`).
 */
import {
  type BaseFacet,
  type DatasetFacets,
  type ErrorMessageRunFacet,
  FACET_SCHEMA_URLS,
  type FacetLocation,
  type InputDatasetFacets,
  type JobFacets,
  OPENLINEAGE_SCHEMA_URL,
  type OutputDatasetFacets,
  type RunEvent,
  type RunFacets,
} from './openlineage-types';

export const RUN_EVENT_SCHEMA_URL = `${OPENLINEAGE_SCHEMA_URL}#/$defs/RunEvent`;

export type RunEventType = NonNullable<RunEvent['eventType']>;

type BaseFacetField = '_producer' | '_schemaURL';

/**
 * A facet as a job writes it: `_producer` and `_schemaURL` may be left out. The emitter fills in its producer,
 * and for the standard facets (by key: `parent`, `schema`, ...) the URL of the schema their type comes from.
 * A custom facet (any other key) must carry its own `_schemaURL`.
 */
export type FacetDraft<F> = { [K in keyof F as K extends BaseFacetField ? never : K]: F[K] } & Partial<Pick<BaseFacet, BaseFacetField>>;

/** A facet map (RunFacets, ...) whose facets are drafts. */
export type FacetDrafts<M> = { [K in keyof M]?: FacetDraft<NonNullable<M[K]>> };

export interface DatasetDraft {
  namespace: string;
  name: string;
  facets?: FacetDrafts<DatasetFacets>;
}

export interface InputDatasetDraft extends DatasetDraft {
  inputFacets?: FacetDrafts<InputDatasetFacets>;
}

export interface OutputDatasetDraft extends DatasetDraft {
  outputFacets?: FacetDrafts<OutputDatasetFacets>;
}

/** A RunEvent without what the emitter fills in. The same `run.runId` goes into every event of one run. */
export interface RunDraft {
  run: { runId: string; facets?: FacetDrafts<RunFacets> };
  job: { namespace: string; name: string; facets?: FacetDrafts<JobFacets> };
  inputs?: InputDatasetDraft[];
  outputs?: OutputDatasetDraft[];
  /** When it happened: now by default. A string is sent as is (ISO 8601 with a time zone). */
  eventTime?: Date | string;
}

/** A complete RunEvent from a draft. Throws a TypeError for a custom facet without `_schemaURL`. */
export function buildRunEvent(eventType: RunEventType, draft: RunDraft, producer: string): RunEvent {
  const facets = (drafts: object | undefined, location: FacetLocation, at: string) => completeFacets(drafts, location, producer, at);
  const event = {
    eventTime: draft.eventTime instanceof Date ? draft.eventTime.toISOString() : (draft.eventTime ?? new Date().toISOString()),
    producer,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    eventType,
    run: { runId: draft.run.runId, facets: facets(draft.run.facets, 'run', 'run.facets') },
    job: { namespace: draft.job.namespace, name: draft.job.name, facets: facets(draft.job.facets, 'job', 'job.facets') },
    inputs: draft.inputs?.map(({ inputFacets, ...d }, i) => ({
      ...d,
      facets: facets(d.facets, 'dataset', `inputs[${i}].facets`),
      inputFacets: facets(inputFacets, 'inputDataset', `inputs[${i}].inputFacets`),
    })),
    outputs: draft.outputs?.map(({ outputFacets, ...d }, i) => ({
      ...d,
      facets: facets(d.facets, 'dataset', `outputs[${i}].facets`),
      outputFacets: facets(outputFacets, 'outputDataset', `outputs[${i}].outputFacets`),
    })),
  };
  // completeFacets gave every facet its `_producer` and `_schemaURL`, which is all that separates the drafts'
  // types from the event's; undefined members disappear when the event is serialized.
  return event as RunEvent;
}

/** The facets of one map with `_producer` and `_schemaURL` filled in; undefined when there are none. */
function completeFacets(
  drafts: object | undefined,
  location: FacetLocation,
  producer: string,
  at: string,
): Record<string, BaseFacet> | undefined {
  if (!drafts) return undefined;
  const out: Record<string, BaseFacet> = {};
  for (const [key, draft] of Object.entries(drafts) as [string, Partial<BaseFacet> | undefined][]) {
    if (draft === undefined) continue;
    const { _producer = producer, _schemaURL = FACET_SCHEMA_URLS[location][key], ...fields } = draft;
    if (_schemaURL === undefined)
      throw new TypeError(`${at}.${key} is not a standard facet: give it a _schemaURL (the URL of the JSON schema that defines it)`);
    out[key] = { _producer, _schemaURL, ...fields };
  }
  return Object.keys(out).length ? out : undefined;
}

/** The errorMessage run facet for a thrown value, stack trace included. */
export function errorMessageFacet(error: unknown): FacetDraft<ErrorMessageRunFacet> {
  if (!(error instanceof Error)) return { message: String(error), programmingLanguage: 'JavaScript' };
  return { message: error.message || error.name, programmingLanguage: 'JavaScript', ...(error.stack ? { stackTrace: error.stack } : {}) };
}

/**
 * A new run id: a UUID version 7 (RFC 9562), time-ordered, as OpenLineage recommends for runs. Keep it for
 * all the events of the run (START, then COMPLETE or FAIL).
 */
export function newRunId(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) % 256; // 48-bit milliseconds, big-endian
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
