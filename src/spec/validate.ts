import type { Deviation } from '../ingest/pointer';
import index from './generated/index.json';
import type { ValidateFunction, ValidationError } from './generated/types';
import * as validators from './generated/validators.js';

export type EventKind = 'run' | 'dataset' | 'job';
type Location = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';
type FacetVersion = { version: string; name: string; validate: ValidateFunction };

const fns = validators as unknown as Record<string, ValidateFunction>;
const DEFAULT_CORE = '2-0-2';
const MAX_DEVIATIONS = 200;

const core = new Map(Object.entries(index.core).map(([version, kinds]) => [version, kinds as Record<string, string>]));
const facetsByLocation = new Map<Location, Map<string, FacetVersion[]>>(
  Object.entries(index.facets).map(([location, keys]) => [
    location as Location,
    new Map(Object.entries(keys).map(([key, list]) => [key, list.map((f) => ({ version: f.version, name: f.name, validate: fns[f.fn]! }))])),
  ]),
);

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every deviation of an event from the OpenLineage spec, as pointers into the event: the core schema of
 * the version its schemaURL names (2-0-2 when absent or unknown), then each facet against its own schema,
 * chosen by the facet's key and location (the spec defines facets by key) in the version its _schemaURL
 * names when that is vendored, else the newest. Facets with unknown keys are custom: opaque.
 */
export function validateEventSchema(event: Record<string, unknown>, kind: EventKind): Deviation[] {
  const out: Deviation[] = [];
  const coreKind = kind === 'run' ? 'RunEvent' : kind === 'dataset' ? 'DatasetEvent' : 'JobEvent';
  const version = /\/spec\/(\d+-\d+-\d+)\/OpenLineage\.json/.exec(String(event.schemaURL ?? ''))?.[1];
  const fn = (version && core.get(version)?.[coreKind]) || core.get(DEFAULT_CORE)![coreKind]!;
  const validateCore = fns[fn]!;
  if (!validateCore(event)) collect(out, '', validateCore.errors);

  const facetsAt = (value: unknown, at: string, location: Location) => {
    if (!isObject(value)) return;
    const known = facetsByLocation.get(location)!;
    for (const [key, facet] of Object.entries(value)) {
      const versions = known.get(key);
      if (!versions) continue;
      const where = `${at}/${escape(key)}`;
      if (!isObject(facet)) {
        out.push({ pointer: where, message: 'a facet must be an object' });
        continue;
      }
      const chosen = pickVersion(versions, facet._schemaURL);
      if (!chosen.validate(facet)) collect(out, where, chosen.validate.errors);
    }
  };

  if (kind === 'dataset') {
    const d = event.dataset;
    if (isObject(d)) facetsAt(d.facets, '/dataset/facets', 'dataset');
  } else {
    if (isObject(event.run)) facetsAt(event.run.facets, '/run/facets', 'run');
    if (isObject(event.job)) facetsAt(event.job.facets, '/job/facets', 'job');
    for (const [key, location] of [['inputs', 'inputDataset'], ['outputs', 'outputDataset']] as const) {
      const list = event[key];
      if (!Array.isArray(list)) continue;
      list.forEach((d, i) => {
        if (!isObject(d)) return;
        facetsAt(d.facets, `/${key}/${i}/facets`, 'dataset');
        facetsAt(d[key === 'inputs' ? 'inputFacets' : 'outputFacets'], `/${key}/${i}/${key === 'inputs' ? 'inputFacets' : 'outputFacets'}`, location);
      });
    }
  }
  if (out.length > MAX_DEVIATIONS) {
    const more = out.length - MAX_DEVIATIONS;
    out.length = MAX_DEVIATIONS;
    out.push({ pointer: '', message: `${more} more deviations not listed` });
  }
  return out;
}

/** The version a facet's _schemaURL names (…/facets/1-0-1/SchemaDatasetFacet.json), if vendored; else the newest. */
function pickVersion(versions: FacetVersion[], schemaUrl: unknown): FacetVersion {
  if (typeof schemaUrl === 'string') {
    const m = /\/facets\/(\d+-\d+-\d+)\/(\w+)\.json/.exec(schemaUrl);
    if (m) {
      const exact = versions.find((v) => v.version === m[1] && v.name === m[2]);
      if (exact) return exact;
    }
  }
  return versions[versions.length - 1]!;
}

/** ajv errors as deviations: pointers made absolute and exact, branch noise (anyOf/oneOf) dropped. */
function collect(out: Deviation[], base: string, errors: ValidationError[] | null | undefined) {
  if (!errors) return;
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  const list = specific.length ? specific : errors;
  const seen = new Set(out.map((d) => `${d.pointer}\u0000${d.message}`));
  for (const e of list) {
    let pointer = base + e.instancePath;
    let message = e.message ?? e.keyword;
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
      pointer += `/${escape(e.params.missingProperty)}`;
      message = `required property '${e.params.missingProperty}' is missing`;
    } else if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
      pointer += `/${escape(e.params.additionalProperty)}`;
      message = `property '${e.params.additionalProperty}' is not allowed`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message });
  }
}
