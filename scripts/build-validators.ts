/**
 * Compiles the vendored OpenLineage JSON schemas (spec/) into standalone validator code, so that nothing
 * compiles a schema at run time (Cloudflare Workers forbid eval and new Function; it also keeps start-up
 * fast). Run by `npm run build:spec` and by `prepare` on `npm ci`; the output is not committed.
 *
 * Writes to src/spec/generated/:
 * - validators.js   ESM, one exported validate function per core event type and version and per facet
 *                   definition and version; imports nothing (ajv-formats' formats are inlined).
 * - validators.d.ts the matching declarations.
 * - index.json      which core versions exist (and their RunEvent/DatasetEvent/JobEvent exports) and, for each
 *                   facet location and facet key, the vendored versions and the export validating each.
 *
 * spec/pedigree/ holds Pedigree's own facet schemas (its MLflow bridge's facets; $id `urn:pedigree:facets:…`):
 * compiled the same way, indexed with origin "pedigree" and their $id, which a facet's `_schemaURL` must name
 * for them to apply (the key of a custom facet does not define it, its schema does).
 *
 * All schemas are added to one Ajv2020 instance by their $id and `$ref`s are resolved offline among them;
 * no network, no loadSchema. Output is deterministic: files are read in sorted order and everything written
 * is sorted.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _ } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import { fastFormats } from 'ajv-formats/dist/formats';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const specDir = join(root, 'spec');
const outDir = join(root, 'src', 'spec', 'generated');
const require = createRequire(import.meta.url);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------
// 1. Load every schema under spec/, once per $id.
// ---------------------------------------------------------------------------------------------------------

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();
}

const rel = (file: string) => relative(root, file).split(sep).join('/');
const schemas = new Map<string, { schema: Schema; file: string }>();
const notes: string[] = [];
// Several files carry the same $id (spec/facets/X.json is the current release of published/facets/<v>/X.json,
// spec/OpenLineage.json is published/2-0-2, registry/** repeats published facets). Add each $id once,
// preferring the published copy, the one actually served under that URL.
const files = jsonFiles(specDir).sort(
  (a, b) => Number(!rel(a).startsWith('spec/published/')) - Number(!rel(b).startsWith('spec/published/')) || (a < b ? -1 : a > b ? 1 : 0),
);
for (const file of files) {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Json;
  if (!isObject(schema) || typeof schema.$id !== 'string') continue; // registry.json manifests are not schemas
  const seen = schemas.get(schema.$id);
  if (seen) {
    if (JSON.stringify(seen.schema) !== JSON.stringify(schema))
      notes.push(`${rel(file)} differs from ${seen.file} under the same $id; using ${seen.file}`);
    continue;
  }
  schemas.set(schema.$id, { schema, file: rel(file) });
}

// ---------------------------------------------------------------------------------------------------------
// 2. Prepare each schema for compilation, without changing what it accepts:
//    - annotations (description, example, ...) go: they validate nothing, but ajv embeds the schema objects it
//      needs (enum lists etc.) and these would make the output much bigger;
//    - each alternative of an anyOf/oneOf with several is wrapped in a single-alternative anyOf. That validates
//      the same, but ajv then reports each failed alternative's errors followed by an error with schemaPath
//      …/oneOf/<i>/anyOf, which lets src/spec/validate.ts tell alternatives apart and report only the
//      relevant one (ajv otherwise reports the errors of all alternatives as one undivided run).
// ---------------------------------------------------------------------------------------------------------

const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', '$comment', 'deprecated', 'readOnly', 'writeOnly']);
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMAS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
];

function prepare(schema: Json): Json {
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    if (SUBSCHEMA_MAPS.includes(k) && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, prepare(s)]));
    else if ((k === 'anyOf' || k === 'oneOf') && Array.isArray(v) && v.length > 1) out[k] = v.map((s) => ({ anyOf: [prepare(s)] }));
    else if ((SUBSCHEMA_LISTS.includes(k) || k === 'items') && Array.isArray(v)) out[k] = v.map(prepare);
    else if (SUBSCHEMAS.includes(k)) out[k] = prepare(v);
    else out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// 3. `$ref`s to documents that were never published. Core 1-0-4..2-0-1 reference facet files relative to
//    themselves (https://openlineage.io/spec/1-0-5/facets/ParentRunFacet.json, ...) that do not exist at
//    those URLs. They appear only as alternatives in an anyOf next to the generic facet schema, and such a
//    facet file is `{type: object, properties: {<its key>: ...}}`, which any object without that key
//    passes: `{type: object}` is what they contribute. Facets are validated by their key afterwards.
// ---------------------------------------------------------------------------------------------------------

function refsIn(v: Json, base: string, out: Set<string>) {
  if (Array.isArray(v)) for (const x of v) refsIn(x, base, out);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(new URL(x, base).href.replace(/#.*$/, ''));
      else refsIn(x, base, out);
    }
  }
}
const referenced = new Set<string>();
for (const [id, { schema }] of schemas) refsIn(schema, id, referenced);
const stubs = [...referenced].filter((id) => !schemas.has(id)).sort();

// ---------------------------------------------------------------------------------------------------------
// 4. Which validators to export, and the index describing them.
// ---------------------------------------------------------------------------------------------------------

type Location = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';
type CoreKind = 'RunEvent' | 'DatasetEvent' | 'JobEvent';
interface FacetVersion {
  /** The facet schema's version: 1-0-1 of .../spec/facets/1-0-1/X.json, or the core version for a facet defined inside a 1-0-0/1-0-1 core schema. */
  version: string;
  /**
   * "facet": a facet file (.../spec/facets/<version>/<schema>.json); "core": a definition in .../spec/<version>/OpenLineage.json;
   * "pedigree": one of Pedigree's own facet files (spec/pedigree/), which applies only to facets whose `_schemaURL` names `id`.
   */
  origin: 'facet' | 'core' | 'pedigree';
  /** The facet file's name without .json, or "OpenLineage" for a core schema. */
  schema: string;
  /** The definition validating the facet value. */
  def: string;
  /** The export of validators.js validating it. */
  fn: string;
  /** For origin "pedigree": the schema's $id. */
  id?: string;
}

const exports = new Map<string, string>(); // export name -> schema ref
const core: Record<string, Partial<Record<CoreKind, string>>> = {};
const facets: Record<Location, Record<string, FacetVersion[]>> = { run: {}, job: {}, dataset: {}, inputDataset: {}, outputDataset: {} };

const dashes = (v: string) => v.replace(/-/g, '_');
function addExport(name: string, ref: string) {
  const had = exports.get(name);
  if (had !== undefined && had !== ref) throw new Error(`export ${name} would validate both ${had} and ${ref}`);
  exports.set(name, ref);
}
function addFacet(location: Location, key: string, entry: FacetVersion) {
  facets[location][key] ??= [];
  const list = facets[location][key];
  if (!list.some((f) => f.origin === entry.origin && f.version === entry.version && f.def === entry.def)) list.push(entry);
}

const SUFFIXES: [string, Location][] = [
  ['InputDatasetFacet', 'inputDataset'],
  ['OutputDatasetFacet', 'outputDataset'],
  ['DatasetFacet', 'dataset'],
  ['JobFacet', 'job'],
  ['RunFacet', 'run'],
];
const bySuffix = (name: string): Location | undefined => SUFFIXES.find(([s]) => name.endsWith(s))?.[1];
const localRef = (s: Json): string | undefined =>
  isObject(s) && typeof s.$ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(s.$ref)?.[1] : undefined;
const localRefs = (s: Json | undefined): string[] => {
  if (!isObject(s)) return [];
  const one = localRef(s);
  if (one) return [one];
  const list = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : [];
  const refs = list.map(localRef);
  return refs.every((r): r is string => r !== undefined) ? refs : [];
};

/**
 * Where a facet definition goes: by its name's suffix (…RunFacet, …InputDatasetFacet) and by the core facet type
 * it extends (its allOf `$ref`s …/OpenLineage.json#/$defs/InputDatasetFacet). The two disagree once:
 * DataQualityAssertionsDatasetFacet extends InputDatasetFacet (and core 1-0-1 lists it among inputFacets), so it
 * is registered at both.
 */
function locationsOf(name: string, def: Json | undefined): Location[] {
  const out = new Set<Location>();
  const suffix = bySuffix(name);
  if (suffix) out.add(suffix);
  if (isObject(def) && Array.isArray(def.allOf)) {
    for (const part of def.allOf) {
      const base =
        isObject(part) && typeof part.$ref === 'string'
          ? /OpenLineage\.json#\/(?:\$defs|definitions)\/(\w+)$/.exec(part.$ref)?.[1]
          : undefined;
      const location = base ? SUFFIXES.find(([s]) => s === base)?.[1] : undefined;
      if (location) out.add(location);
    }
  }
  return [...out];
}

const coreLocations: [Location, (defs: Schema) => Json | undefined][] = [
  ['run', (d) => get(d, 'Run', 'properties', 'facets')],
  ['job', (d) => get(d, 'Job', 'properties', 'facets')],
  ['dataset', (d) => get(d, 'Dataset', 'properties', 'facets')],
  ['inputDataset', (d) => inAllOf(d.InputDataset, 'inputFacets')],
  ['outputDataset', (d) => inAllOf(d.OutputDataset, 'outputFacets')],
];
function get(v: Json | undefined, ...path: string[]): Json | undefined {
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return v;
}
function inAllOf(v: Json | undefined, prop: string): Json | undefined {
  const parts = get(v, 'allOf');
  return Array.isArray(parts) ? parts.map((p) => get(p, 'properties', prop)).find((x) => x !== undefined) : undefined;
}

/** Pedigree's own facet files (spec/pedigree/): `urn:pedigree:facets:<version>:<Name>.json`. */
const PEDIGREE_FACET = /^urn:pedigree:facets:(\d+-\d+-\d+):(\w+)\.json$/;

for (const [id, { schema }] of [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
  const coreMatch = /\/spec\/(\d+-\d+-\d+)\/OpenLineage\.json$/.exec(id);
  if (coreMatch) {
    const version = coreMatch[1]!;
    const defsKey = isObject(schema.$defs) ? '$defs' : 'definitions';
    const defs = schema[defsKey];
    if (!isObject(defs)) continue;
    for (const kind of ['RunEvent', 'DatasetEvent', 'JobEvent'] as const) {
      if (!(kind in defs)) continue;
      const fn = `core_${dashes(version)}_${kind}`;
      addExport(fn, `${id}#/${defsKey}/${kind}`);
      core[version] ??= {};
      core[version][kind] = fn;
    }
    // Core 1-0-0 and 1-0-1 define the standard facets inside the core schema, by key.
    for (const [location, container] of coreLocations) {
      const props = get(container(defs), 'properties');
      if (!isObject(props)) continue;
      for (const [key, ref] of Object.entries(props)) {
        const def = isObject(ref) && typeof ref.$ref === 'string' ? /^#\/(?:\$defs|definitions)\/(\w+)$/.exec(ref.$ref)?.[1] : undefined;
        if (!def || !(def in defs)) continue;
        const fn = `core_${dashes(version)}_${def}`;
        addExport(fn, `${id}#/${defsKey}/${def}`);
        addFacet(location, key, { version, origin: 'core', schema: 'OpenLineage', def, fn });
      }
    }
    continue;
  }
  const facetMatch = /\/spec\/facets\/(\d+-\d+-\d+)\/(\w+)\.json$/.exec(id) ?? PEDIGREE_FACET.exec(id);
  if (!facetMatch) continue;
  const [, version, file] = facetMatch as unknown as [string, string, string];
  const own = id.startsWith('urn:pedigree:');
  const defs = isObject(schema.$defs) ? schema.$defs : {};
  const register = (location: Location, key: string, def: string) => {
    const fn = `${own ? 'pedigree' : 'facet'}_${def}_${dashes(version)}`;
    addExport(fn, `${id}#/$defs/${def}`);
    addFacet(location, key, { version, origin: own ? 'pedigree' : 'facet', schema: file, def, fn, ...(own ? { id } : {}) });
  };
  // properties: { <facet key>: {$ref: "#/$defs/<Name>"} }, or an anyOf of such refs (LineageFacet: the
  // "lineage" key is LineageDatasetFacet among dataset facets and LineageJobFacet among job facets).
  for (const [key, prop] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    for (const name of localRefs(prop)) {
      const def = defs[name];
      for (const location of locationsOf(name, def)) register(location, key, name);
      // A definition that is itself a choice of facets for other locations (BaseSubsetDatasetFacet: oneOf
      // InputSubsetInputDatasetFacet, OutputSubsetOutputDatasetFacet): each alternative at its own location.
      for (const alt of isObject(def) && !def.allOf ? localRefs(def) : []) {
        for (const location of locationsOf(alt, defs[alt])) if (!locationsOf(name, def).includes(location)) register(location, key, alt);
      }
    }
  }
}

const semver = (v: string) => v.split('-').map(Number);
function byVersion(a: string, b: string): number {
  const pa = semver(a),
    pb = semver(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
// Oldest first; definitions inside core schemas before facet files (the newest facet file is the default).
for (const keys of Object.values(facets))
  for (const list of Object.values(keys))
    list.sort(
      (a, b) => Number(a.origin !== 'core') - Number(b.origin !== 'core') || byVersion(a.version, b.version) || (a.def < b.def ? -1 : 1),
    );

const sortKeys = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const coreVersions = Object.keys(core).sort(byVersion);
const index = {
  core: {
    default: coreVersions.at(-1)!,
    versions: Object.fromEntries(coreVersions.map((v) => [v, core[v]!])),
  },
  facets: Object.fromEntries(Object.entries(facets).map(([location, keys]) => [location, sortKeys(keys)])) as Record<
    Location,
    Record<string, FacetVersion[]>
  >,
};

// ---------------------------------------------------------------------------------------------------------
// 5. Compile. ajv-formats' formats go into the output as the source of ajv-formats/dist/formats.js (a
//    self-contained file), so that the validators import nothing; ajv-formats would otherwise emit
//    require("ajv-formats/dist/formats"). The full formats, but for `uri`, which is the fast one: the full
//    one is an RFC 3986 regex that cost a fifth of validating a Spark event (every _producer and
//    _schemaURL is a uri) to tell apart URIs no producer sends.
// ---------------------------------------------------------------------------------------------------------

const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  code: { source: true, esm: true, formats: _`{ ...ajvFormats.fullFormats, uri: ajvFormats.fastFormats.uri }` },
});
addFormats(ajv, { mode: 'full', keywords: false });
ajv.addFormat('uri', fastFormats.uri);
for (const [, { schema }] of schemas) ajv.addSchema(prepare(schema) as Schema);
for (const id of stubs) ajv.addSchema({ $id: id, type: 'object' });

const exportList = [...exports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const code = standaloneCode(ajv, Object.fromEntries(exportList));

const formatsFile = require.resolve('ajv-formats/dist/formats');
const formatsVersion = (JSON.parse(readFileSync(join(formatsFile, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const formatsSource = readFileSync(formatsFile, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');

const output = [
  '// Generated by scripts/build-validators.ts from spec/ (the vendored OpenLineage schemas). Do not edit.',
  `// ajv standalone code; ajv-formats@${formatsVersion} (MIT, https://github.com/ajv-validator/ajv-formats) formats inlined below.`,
  `const ajvFormats = (() => {\nconst exports = {};\n${formatsSource}return exports;\n})();`,
  code,
  '',
].join('\n');

const forbidden = /\brequire\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\beval\s*\(|\bimport\s*\(/.exec(output);
if (forbidden) throw new Error(`generated validators must not load or compile code at run time; found ${JSON.stringify(forbidden[0])}`);

const declarations = [
  '// Generated by scripts/build-validators.ts. Do not edit.',
  '/** One ajv error (ajv ErrorObject). */',
  'export interface ValidationError {',
  '  /** JSON pointer (RFC 6901) to the failing value, relative to the validated value. */',
  '  instancePath: string;',
  '  schemaPath: string;',
  '  keyword: string;',
  '  params: Record<string, unknown>;',
  '  message?: string;',
  '}',
  '/** A standalone ajv validate function: true when valid, else false with `errors` set. */',
  'export interface ValidateFunction {',
  '  (data: unknown): boolean;',
  '  errors?: ValidationError[] | null;',
  '}',
  ...exportList.map(([name, ref]) => `/** ${ref} */\nexport declare const ${name}: ValidateFunction;`),
  '',
].join('\n');

const outputs: Record<string, string> = {
  'validators.js': output,
  'validators.d.ts': declarations,
  'index.json': `${JSON.stringify(index, null, 1)}\n`,
};
mkdirSync(outDir, { recursive: true });
// Whatever else is there was generated by an earlier version of this script.
for (const stale of readdirSync(outDir)) if (!(stale in outputs)) rmSync(join(outDir, stale), { recursive: true, force: true });
for (const [name, text] of Object.entries(outputs)) writeFileSync(join(outDir, name), text);

const facetKeys = Object.values(index.facets).reduce((n, keys) => n + Object.keys(keys).length, 0);
for (const note of notes) console.warn(`build:spec: ${note}`);
console.log(
  `build:spec: ${exports.size} validators (${coreVersions.length} core versions, ${facetKeys} facet keys) from ${schemas.size} schemas in spec/, ` +
    `${stubs.length} unpublished $refs read as {type: object}; ${Math.round(output.length / 1024)} KB in ${Math.round(performance.now() - started)} ms`,
);
