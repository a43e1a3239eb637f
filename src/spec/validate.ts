/**
 * Validation of OpenLineage events against the vendored spec (spec/), with validators precompiled by
 * `npm run build:spec` (scripts/build-validators.ts): nothing here compiles a schema, so it runs on Node and on
 * Cloudflare Workers (no eval, no new Function) alike. Imports only the generated module and plain TS.
 */

import type { Deviation } from '../core/errors';
import { escapeSegment, isObject, unescapeSegment } from '../core/json';
import type { EventKind } from '../ingest/understand';
import index from './generated/index.json';
import type { ValidateFunction, ValidationError } from './generated/validators.js';
import * as generated from './generated/validators.js';

export type { Deviation, EventKind };

type Location = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';
type CoreKind = 'RunEvent' | 'DatasetEvent' | 'JobEvent';

/** The shape of generated/index.json (see scripts/build-validators.ts). */
interface SpecIndex {
  core: { default: string; versions: Record<string, Partial<Record<CoreKind, string>>> };
  facets: Record<
    Location,
    Record<string, { version: string; origin: 'facet' | 'core' | 'pedigree'; schema: string; def: string; fn: string; id?: string }[]>
  >;
}

/** At most this many deviations are returned; the last one then says how many more there were. */
export const MAX_DEVIATIONS = 200;

// ---------------------------------------------------------------------------------------------------------
// Lookup tables, built once at module load.
// ---------------------------------------------------------------------------------------------------------

const spec = index as unknown as SpecIndex;
const exported = generated as unknown as Record<string, ValidateFunction | undefined>;
function validator(name: string): ValidateFunction {
  const fn = exported[name];
  if (typeof fn !== 'function') throw new Error(`src/spec/generated is out of date (no validator ${name}): run npm run build:spec`);
  return fn;
}

const CORE_KIND: Record<EventKind, CoreKind> = { run: 'RunEvent', dataset: 'DatasetEvent', job: 'JobEvent' };
const coreValidators = new Map<string, Partial<Record<CoreKind, ValidateFunction>>>(
  Object.entries(spec.core.versions).map(([version, kinds]) => [
    version,
    Object.fromEntries(Object.entries(kinds).map(([kind, fn]) => [kind, validator(fn!)])) as Partial<Record<CoreKind, ValidateFunction>>,
  ]),
);
const defaultCore = coreValidators.get(spec.core.default)!;

interface FacetSchemas {
  /**
   * The newest vendored facet file for this key and location: used unless `_schemaURL` names another.
   * Undefined for a key only Pedigree's own facets use (a custom key: another producer's facet under it is opaque).
   */
  newest: ValidateFunction | undefined;
  /** By "<version>/<file name>" of …/spec/facets/<version>/<file name>.json. */
  files: Map<string, ValidateFunction>;
  /** By "<core version>/<definition>" of …/spec/<core version>/OpenLineage.json#/definitions/<definition>. */
  cores: Map<string, ValidateFunction>;
  /** Pedigree's own facet schemas (spec/pedigree/), by $id: they apply when `_schemaURL` names one. */
  own: Map<string, ValidateFunction>;
}

const facetSchemas = {} as Record<Location, Map<string, FacetSchemas>>;
for (const [location, keys] of Object.entries(spec.facets) as [Location, SpecIndex['facets'][Location]][]) {
  const byKey = new Map<string, FacetSchemas>();
  for (const [key, versions] of Object.entries(keys)) {
    const files = new Map<string, ValidateFunction>();
    const cores = new Map<string, ValidateFunction>();
    const own = new Map<string, ValidateFunction>();
    let newest: ValidateFunction | undefined;
    for (const v of versions) {
      const fn = validator(v.fn);
      if (v.origin === 'pedigree') own.set(v.id!, fn);
      else if (v.origin === 'core') cores.set(`${v.version}/${v.def}`, fn);
      else {
        files.set(`${v.version}/${v.schema}`, fn);
        newest = fn; // versions are listed oldest first
      }
    }
    const spec = versions.filter((v) => v.origin !== 'pedigree');
    if (spec.length) newest ??= validator(spec[spec.length - 1]!.fn);
    byKey.set(key, { newest, files, cores, own });
  }
  facetSchemas[location] = byKey;
}
for (const location of ['run', 'job', 'dataset', 'inputDataset', 'outputDataset'] as const) facetSchemas[location] ??= new Map();

// …/spec/1-0-1/OpenLineage.json#/definitions/RunEvent, and github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.json
const CORE_VERSION_URL = /\/spec\/(\d+-\d+-\d+)\/OpenLineage\.json|\/v(\d+-\d+-\d+)\/spec\/OpenLineage\.json/;
// https://openlineage.io/spec/facets/1-0-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet
const FACET_FILE_URL = /\/spec\/facets\/(\d+-\d+-\d+)\/(\w+)\.json/;
// https://openlineage.io/spec/1-0-1/OpenLineage.json#/definitions/OutputStatisticsOutputDatasetFacet (the facets
// defined inside core 1-0-0 and 1-0-1), also as github.com/OpenLineage/OpenLineage/blob/v1-0-0/spec/OpenLineage.json#/…
const CORE_FACET_URL =
  /(?:\/spec\/(\d+-\d+-\d+)\/OpenLineage\.json|\/v(\d+-\d+-\d+)\/spec\/OpenLineage\.json)#\/(?:\$defs|definitions)\/(\w+)/;

// ---------------------------------------------------------------------------------------------------------
// Validation.
// ---------------------------------------------------------------------------------------------------------

/**
 * Every deviation of an event from the OpenLineage spec, as pointers into the event.
 *
 * 1. The event against the core schema (RunEvent, DatasetEvent or JobEvent) of the version its `schemaURL` names;
 *    2-0-2 when that is absent or unknown (or has no such event type: DatasetEvent and JobEvent exist from 2-0-0).
 * 2. Each facet in run.facets, job.facets, inputs[i].facets/inputFacets, outputs[i].facets/outputFacets and
 *    dataset.facets against the facet schema for its key at that place (the spec defines facets by key): the
 *    version its `_schemaURL` names when that names this facet and is vendored, else the newest vendored one.
 *    Facets with keys the spec does not define (custom facets) are opaque. Errors the core schema reports inside
 *    a facet validated here are left to this step, so they are neither doubled nor judged by another version.
 *
 * Never throws; returns at most MAX_DEVIATIONS deviations, without duplicates.
 */
export function validateEventSchema(event: Record<string, unknown>, kind: EventKind): Deviation[] {
  const sink = new Sink();
  try {
    validateInto(event, kind === 'dataset' || kind === 'job' ? kind : 'run', sink);
  } catch (e) {
    sink.add('', `could not be validated: ${e instanceof Error ? e.message : String(e)}`);
  }
  return sink.result();
}

function validateInto(event: unknown, kind: EventKind, sink: Sink): void {
  // The core schema.
  const validate = coreFor(isObject(event) ? event.schemaURL : undefined, kind);
  for (const d of check(validate, event, '')) if (!insideKnownFacet(d.pointer, kind)) sink.add(d.pointer, d.message);
  if (!isObject(event)) return;

  // The facets, by key.
  if (kind === 'dataset') {
    if (isObject(event.dataset)) facetsAt(event.dataset.facets, '/dataset/facets', 'dataset', sink);
    return;
  }
  if (kind === 'run' && isObject(event.run)) facetsAt(event.run.facets, '/run/facets', 'run', sink);
  if (isObject(event.job)) facetsAt(event.job.facets, '/job/facets', 'job', sink);
  datasetFacets(event.inputs, 'inputs', 'inputFacets', 'inputDataset', sink);
  datasetFacets(event.outputs, 'outputs', 'outputFacets', 'outputDataset', sink);
}

function coreFor(schemaUrl: unknown, kind: EventKind): ValidateFunction {
  const coreKind = CORE_KIND[kind];
  if (typeof schemaUrl === 'string') {
    const m = CORE_VERSION_URL.exec(schemaUrl);
    const fn = m ? coreValidators.get((m[1] ?? m[2])!)?.[coreKind] : undefined;
    if (fn) return fn;
  }
  return defaultCore[coreKind]!;
}

function datasetFacets(list: unknown, at: 'inputs' | 'outputs', own: 'inputFacets' | 'outputFacets', location: Location, sink: Sink) {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const d: unknown = list[i];
    if (!isObject(d)) continue;
    if (d.facets !== undefined) facetsAt(d.facets, `/${at}/${i}/facets`, 'dataset', sink);
    if (d[own] !== undefined) facetsAt(d[own], `/${at}/${i}/${own}`, location, sink);
  }
}

function facetsAt(container: unknown, at: string, location: Location, sink: Sink) {
  if (!isObject(container)) return; // the core schema reports it
  const known = facetSchemas[location];
  for (const key of Object.keys(container)) {
    const schemas = known.get(key);
    if (!schemas) continue; // a custom facet
    const where = `${at}/${escapeSegment(key)}`;
    const facet = container[key];
    const validate = isObject(facet) ? pickVersion(schemas, facet._schemaURL) : schemas.newest;
    if (!validate) continue; // a custom facet under a key one of Pedigree's own facets uses, by another schema
    if (!isObject(facet)) {
      sink.add(where, facet === null ? 'must be object, not null' : 'must be object');
      continue;
    }
    for (const d of check(validate, facet, where)) sink.add(d.pointer, d.message);
  }
}

/**
 * The version a facet's `_schemaURL` names, if it names this facet and that version is vendored; else the newest.
 * One of Pedigree's own schemas when the URL names it (its $id, then the fragment).
 */
function pickVersion(schemas: FacetSchemas, schemaUrl: unknown): ValidateFunction | undefined {
  if (typeof schemaUrl !== 'string') return schemas.newest;
  const own = schemas.own.size ? schemas.own.get(schemaUrl.replace(/#.*$/, '')) : undefined;
  if (own) return own;
  const file = FACET_FILE_URL.exec(schemaUrl);
  if (file) return schemas.files.get(`${file[1]}/${file[2]}`) ?? schemas.newest;
  if (schemas.cores.size) {
    const core = CORE_FACET_URL.exec(schemaUrl);
    if (core) return schemas.cores.get(`${core[1] ?? core[2]}/${core[3]}`) ?? schemas.newest;
  }
  return schemas.newest;
}

/** Is this pointer inside a facet that the by-key step validates (for instance /run/facets/parent/run/runId)? */
function insideKnownFacet(pointer: string, kind: EventKind): boolean {
  if (!pointer.startsWith('/')) return false;
  const s = pointer.split('/', 6);
  let location: Location | undefined;
  let key: string | undefined;
  if (kind === 'dataset') {
    if (s[1] === 'dataset' && s[2] === 'facets') [location, key] = ['dataset', s[3]];
  } else if ((s[1] === 'run' && kind === 'run') || s[1] === 'job') {
    if (s[2] === 'facets') [location, key] = [s[1], s[3]];
  } else if ((s[1] === 'inputs' || s[1] === 'outputs') && s[2] !== undefined && /^(?:0|[1-9]\d*)$/.test(s[2])) {
    if (s[3] === 'facets') [location, key] = ['dataset', s[4]];
    else if (s[3] === (s[1] === 'inputs' ? 'inputFacets' : 'outputFacets'))
      [location, key] = [s[1] === 'inputs' ? 'inputDataset' : 'outputDataset', s[4]];
  }
  // Only keys the spec defines: under a key of Pedigree's own facets, the core schema's findings stay (the
  // facet may be another producer's, which the by-key step leaves alone; duplicates are dropped by the sink).
  return location !== undefined && key !== undefined && facetSchemas[location].get(unescapeSegment(key))?.newest !== undefined;
}

// ---------------------------------------------------------------------------------------------------------
// ajv errors -> deviations.
// ---------------------------------------------------------------------------------------------------------

interface Found {
  /** ajv's instancePath (relative to the validated value). */
  path: string;
  /** Where the deviation points: the path, or the missing/extra property below it. */
  pointer: string;
  message: string;
  keyword: string;
  /** The allowed values of a const/enum error. */
  values?: unknown[];
}

/** Runs one validator; its errors as deviations under `base`, with anyOf/oneOf noise collapsed. */
function check(validate: ValidateFunction, value: unknown, base: string): Found[] {
  let errors: ValidationError[] | null | undefined;
  try {
    if (validate(value)) return [];
    errors = validate.errors;
  } catch (e) {
    // A validator recurses with the data for recursive schemas (nested schema fields); absurd nesting can exhaust the stack.
    return [
      { path: '', pointer: base, keyword: 'error', message: `could not be validated: ${e instanceof Error ? e.message : String(e)}` },
    ];
  }
  if (!errors?.length) return [];
  const found = collapse(errors);
  if (base) for (const f of found) f.pointer = base + f.pointer;
  return found;
}

/** A failed alternative of an anyOf/oneOf: its errors, closed by the wrapper the build puts around each alternative. */
interface Alternative {
  alternative: true;
  path: string;
  found: Found[];
}
type Item = Found | Alternative;
const isAlternative = (i: Item): i is Alternative => 'alternative' in i;
// The build wraps each alternative of a union in a one-alternative anyOf; that wrapper fails with this schemaPath.
const ALTERNATIVE = /\/(?:anyOf|oneOf)\/\d+\/anyOf$/;

/**
 * ajv (allErrors) reports a failed anyOf/oneOf as the errors of every alternative followed by "must match a schema
 * in anyOf". Collapsed here to the errors of the alternative that applies: alternatives rejected by a
 * discriminator (a const/enum error on a direct property, as `type` in the subset and lineage facets) do not
 * apply; of several that apply, the one that got deepest into the value. When none applies, the discriminator's
 * allowed values are reported. A single-alternative anyOf (the facet maps of core 2-0-2) reports its
 * alternative's errors. The wrapper error itself goes unless nothing explains it (oneOf matching twice).
 */
function collapse(errors: ValidationError[]): Found[] {
  const stack: Item[] = [];
  for (const e of errors) {
    const path = typeof e.instancePath === 'string' ? e.instancePath : '';
    if (e.keyword === 'anyOf' && typeof e.schemaPath === 'string' && ALTERNATIVE.test(e.schemaPath)) {
      stack.push({ alternative: true, path, found: takeBelow(stack, path) });
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const alternatives: Alternative[] = [];
      for (let top = stack.at(-1); top && isAlternative(top) && top.path === path; top = stack.at(-1))
        alternatives.unshift(stack.pop() as Alternative);
      if (Array.isArray(e.params?.passingSchemas))
        stack.push(found(e, path)); // oneOf: more than one matched
      else if (alternatives.length) stack.push(...choose(alternatives, path));
      else {
        const block = takeBelow(stack, path);
        stack.push(...(block.length ? block : [found(e, path)]));
      }
    } else if (e.keyword === 'if') {
      const block = takeBelow(stack, path); // the failed then/else branch's errors
      stack.push(...(block.length ? block : [found(e, path)]));
    } else stack.push(found(e, path));
  }
  // No duplicate pointer+message pairs (alternatives often repeat the same complaint).
  const seen = new Set<string>();
  const out: Found[] = [];
  for (const f of stack.flatMap((i) => (isAlternative(i) ? i.found : [i]))) {
    const k = `${f.pointer}\u0000${f.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out;
}

/** The errors on top of the stack at or below `path` (ajv pushes an alternative's errors in one run). */
function takeBelow(stack: Item[], path: string): Found[] {
  let start = stack.length;
  while (start > 0) {
    const item = stack[start - 1]!;
    if (isAlternative(item) || !under(item.path, path)) break;
    start--;
  }
  return stack.splice(start) as Found[];
}

function choose(alternatives: Alternative[], path: string): Found[] {
  const discriminator = (f: Found) => (f.keyword === 'const' || f.keyword === 'enum') && isChild(f.path, path);
  const applicable = alternatives.filter((a) => !a.found.some(discriminator));
  if (applicable.length) {
    const depth = (a: Alternative) => Math.max(0, ...a.found.map((f) => f.pointer.split('/').length));
    let best = applicable[0]!;
    for (const a of applicable.slice(1)) {
      const d = depth(a) - depth(best);
      if (d > 0 || (d === 0 && a.found.length < best.found.length)) best = a;
    }
    return best.found;
  }
  // No alternative's discriminator matched: say which values would.
  const allowed = new Map<string, { pointer: string; values: unknown[] }>();
  for (const f of alternatives.flatMap((a) => a.found)) {
    if (!discriminator(f)) continue;
    const entry = allowed.get(f.path) ?? { pointer: f.pointer, values: [] };
    for (const v of f.values ?? []) if (!entry.values.includes(v)) entry.values.push(v);
    allowed.set(f.path, entry);
  }
  return [...allowed].map(([p, { pointer, values }]) => ({
    path: p,
    pointer,
    keyword: 'enum',
    message: `must be equal to one of the allowed values: ${listValues(values)}`,
  }));
}

function found(e: ValidationError, path: string): Found {
  const params = (e.params ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
    case 'dependentRequired': {
      const missing = params.missingProperty;
      if (typeof missing !== 'string') break;
      return {
        path,
        pointer: `${path}/${escapeSegment(missing)}`,
        keyword: e.keyword,
        message: e.message ?? `must have required property '${missing}'`,
      };
    }
    case 'additionalProperties': {
      const extra = params.additionalProperty;
      if (typeof extra !== 'string') break;
      return {
        path,
        pointer: `${path}/${escapeSegment(extra)}`,
        keyword: e.keyword,
        message: `must NOT be present: additional property '${extra}' is not allowed here`,
      };
    }
    case 'enum': {
      const values = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return {
        path,
        pointer: path,
        keyword: e.keyword,
        values,
        message: `must be equal to one of the allowed values: ${listValues(values)}`,
      };
    }
    case 'const':
      return {
        path,
        pointer: path,
        keyword: e.keyword,
        values: [params.allowedValue],
        message: `must be equal to constant ${listValues([params.allowedValue])}`,
      };
  }
  return { path, pointer: path, keyword: e.keyword, message: e.message ?? `must pass "${e.keyword}"` };
}

function listValues(values: unknown[]): string {
  const shown = values.slice(0, 12).map((v) => JSON.stringify(v) ?? String(v));
  return values.length > shown.length ? `${shown.join(', ')}, …` : shown.join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------------------

class Sink {
  private readonly list: Deviation[] = [];
  private readonly seen = new Set<string>();
  private total = 0;

  add(pointer: string, message: string) {
    const k = `${pointer}\u0000${message}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.total++;
    if (this.list.length < MAX_DEVIATIONS) this.list.push({ pointer, message });
  }

  result(): Deviation[] {
    if (this.total <= MAX_DEVIATIONS) return this.list;
    const shown = this.list.slice(0, MAX_DEVIATIONS - 1);
    const more = this.total - shown.length;
    shown.push({ pointer: '', message: `${more} more deviations not listed` });
    return shown;
  }
}

const under = (p: string, base: string) => p === base || p.startsWith(`${base}/`);
const isChild = (p: string, base: string) => p.startsWith(`${base}/`) && p.indexOf('/', base.length + 1) === -1;
