/**
 * Generates src/emitter/openlineage-types.ts: TypeScript types for OpenLineage events and for the facets a
 * training job sends, from the vendored JSON Schemas (spec/OpenLineage.json and some of spec/facets/).
 *
 *   npx tsx scripts/build-emitter-types.ts
 *
 * Unlike src/spec/generated/ (validators, rebuilt on every install), the output is committed: a job that
 * imports the emitter needs no build step. test/emitter.test.ts holds it to what `generate()` returns.
 *
 * A small JSON-Schema-to-TypeScript converter for the subset these schemas use:
 * - every `$defs` entry becomes an exported interface (or a type alias when it is not an object);
 * - `allOf` parts that are `$ref`s become `extends`, the inline parts are merged into the interface;
 * - `properties` + `required` become members (optional unless required), `additionalProperties` an index
 *   signature (`true` is `unknown`). An absent additionalProperties gives none: JSON Schema then allows other
 *   members, but the types describe the members the spec names;
 * - `$ref`s are resolved by URL against the referring schema's `$id` (so within a file, across files by
 *   their `$id`, or by a relative path), and must name a `$defs` entry of one of the files read;
 * - `enum`/`const` become literal unions, arrays `T[]`, `integer` `number`; formats (date-time, uri, uuid)
 *   stay `string` and are noted in the doc comment with the description, example and deprecation;
 * - an `anyOf`/`oneOf` of one alternative is that alternative, of several a union.
 * One deliberate refinement: a facet map (an object whose additionalProperties is the core RunFacet,
 * JobFacet, DatasetFacet, InputDatasetFacet or OutputDatasetFacet) becomes a map typed by facet key, as the
 * spec defines facets by key (`parent` is a ParentRunFacet, `schema` a SchemaDatasetFacet, ...).
 *
 * Anything else in a schema (patternProperties, if/then, a `$ref` to something other than a definition)
 * makes the script fail rather than produce a type that silently accepts less or more than the spec.
 * The output is deterministic: files and definitions are emitted in a fixed order, and nothing depends on
 * the time or the machine.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUTPUT_FILE = 'src/emitter/openlineage-types.ts';
const CORE_FILE = 'spec/OpenLineage.json';
/** The facets a training job typically sends (file names under spec/facets/). */
const FACET_FILES = [
  'ColumnLineageDatasetFacet',
  'DatasetVersionDatasetFacet',
  'DatasourceDatasetFacet',
  'DocumentationJobFacet',
  'ErrorMessageRunFacet',
  'ExecutionParametersRunFacet',
  'InputStatisticsInputDatasetFacet',
  'JobTypeJobFacet',
  'NominalTimeRunFacet',
  'OutputStatisticsOutputDatasetFacet',
  'OwnershipJobFacet',
  'ParentRunFacet',
  'ProcessingEngineRunFacet',
  'SchemaDatasetFacet',
  'SourceCodeLocationJobFacet',
  'TagsDatasetFacet',
  'TagsJobFacet',
  'TagsRunFacet',
].map((name) => `spec/facets/${name}.json`);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };
const isSchema = (v: Json | undefined): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

interface SchemaFile {
  /** Path relative to the repository root. */
  file: string;
  id: string;
  /** 2-0-2 of https://openlineage.io/spec/2-0-2/OpenLineage.json, 1-2-0 of …/spec/facets/1-2-0/ParentRunFacet.json. */
  version: string;
  schema: Schema;
  defs: Schema;
}

/** Where a facet goes in an event, named after the core definition it extends. */
const FACET_LOCATIONS = {
  RunFacet: 'run',
  JobFacet: 'job',
  DatasetFacet: 'dataset',
  InputDatasetFacet: 'inputDataset',
  OutputDatasetFacet: 'outputDataset',
} as const;
const FACET_MAP_DOCS: Record<FacetBase, string> = {
  RunFacet: 'A run’s facets (run.facets)',
  JobFacet: 'A job’s facets (job.facets)',
  DatasetFacet: 'A dataset’s facets (facets of a dataset, an input or an output)',
  InputDatasetFacet: 'An input’s own facets (inputs[].inputFacets)',
  OutputDatasetFacet: 'An output’s own facets (outputs[].outputFacets)',
};
type FacetBase = keyof typeof FACET_LOCATIONS;
const isFacetBase = (name: string): name is FacetBase => Object.hasOwn(FACET_LOCATIONS, name);
/** The name of the by-key facet map for facets extending `base`: RunFacets for RunFacet. */
const facetMapName = (base: FacetBase) => `${base}s`;

// The keywords a schema may use (see `checkKeywords`): those converted; annotations, which go into the doc
// comment; and constraints that a TypeScript type cannot express (Pedigree's validators check them).
const CONVERTED = '$defs $ref type properties required additionalProperties allOf anyOf oneOf not enum const items';
const ANNOTATIONS = '$schema $id $comment title description example examples deprecated format';
const CONSTRAINTS = 'minimum maximum exclusiveMinimum exclusiveMaximum minLength maxLength pattern minItems maxItems';
const KEYWORDS = new Set(`${CONVERTED} ${ANNOTATIONS} ${CONSTRAINTS}`.split(' '));

// ---------------------------------------------------------------------------------------------------------
// Reading the schemas
// ---------------------------------------------------------------------------------------------------------

function readSchemaFile(file: string): SchemaFile {
  const schema = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Json;
  if (!isSchema(schema) || typeof schema.$id !== 'string') throw new Error(`${file}: not a JSON schema with an $id`);
  const version = /\/(\d+-\d+-\d+)\/\w+\.json$/.exec(schema.$id)?.[1];
  if (!version) throw new Error(`${file}: cannot read a version from its $id ${schema.$id}`);
  return { file, id: schema.$id, version, schema, defs: isSchema(schema.$defs) ? schema.$defs : {} };
}

/** Converts the schemas of `files` (the core schema first) into TypeScript source. */
class Converter {
  private readonly byId = new Map<string, SchemaFile>();
  /** The TypeScript name of each definition, by its absolute URL (`<$id>#/$defs/<name>`). */
  private readonly names = new Map<string, string>();

  constructor(readonly files: SchemaFile[]) {
    for (const f of files) {
      this.byId.set(f.id, f);
      for (const name of Object.keys(f.defs)) {
        if ([...this.names.values()].includes(name)) throw new Error(`${f.file}: a definition named ${name} exists in two files`);
        this.names.set(`${f.id}#/$defs/${name}`, name);
      }
    }
  }

  /** The TypeScript name a `$ref` (relative to the schema file `base`) points at. */
  refName(ref: string, base: SchemaFile): string {
    const url = new URL(ref, base.id).href;
    const name = this.names.get(url);
    if (name) return name;
    const [doc] = url.split('#');
    throw new Error(
      this.byId.has(doc!)
        ? `${base.file}: $ref ${ref} does not name a $defs entry`
        : `${base.file}: $ref ${ref} points into ${doc}, which is not among the files read`,
    );
  }

  /** The core facet definition (RunFacet, ...) a `$ref` names, if it names one. */
  private facetBaseOf(ref: string, base: SchemaFile): FacetBase | undefined {
    const name = this.refName(ref, base);
    return isFacetBase(name) && new URL(ref, base.id).href.startsWith(`${this.files[0]!.id}#`) ? name : undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Declarations
  // -------------------------------------------------------------------------------------------------------

  /** `export interface Name …` (or `export type Name = …;`) for one definition, with its doc comment. */
  declaration(name: string, schema: Schema, file: SchemaFile): string {
    checkKeywords(schema, `${file.file}#/$defs/${name}`);
    const doc = docComment(schema, '');
    const shape = this.objectShape(schema, file, `${file.file}#/$defs/${name}`);
    if (!shape) return `${doc}export type ${name} = ${this.typeOf(schema, file, '')};\n`;
    const extendsClause = shape.bases.length ? ` extends ${shape.bases.join(', ')}` : '';
    return `${doc}export interface ${name}${extendsClause} ${this.objectBody(shape, file, '')}\n`;
  }

  /**
   * The members of an object schema, with its `allOf` parts merged in: `$ref` parts become bases to extend,
   * inline parts add members. Undefined when the schema is not an object (then it is a type alias).
   */
  private objectShape(schema: Schema, file: SchemaFile, at: string): ObjectShape | undefined {
    const single = singleAlternative(schema);
    if (single) return this.objectShape(single, file, at);
    const isObject = schema.type === 'object' || 'properties' in schema || 'allOf' in schema || 'additionalProperties' in schema;
    if (!isObject || 'anyOf' in schema || 'oneOf' in schema || '$ref' in schema) return undefined;
    const shape: ObjectShape = { bases: [], members: [], additional: undefined, forbidden: [] };
    for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) {
      if (!isSchema(part)) throw new Error(`${at}: allOf holds a non-schema`);
      checkKeywords(part, `${at}/allOf`);
      if (typeof part.$ref === 'string') {
        shape.bases.push(this.refName(part.$ref, file));
        continue;
      }
      const inner = this.objectShape(part, file, `${at}/allOf`);
      if (!inner) throw new Error(`${at}: an allOf part is not an object`);
      shape.bases.push(...inner.bases);
      shape.members.push(...inner.members);
      shape.additional ??= inner.additional;
      shape.forbidden.push(...inner.forbidden);
    }
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
    for (const [key, value] of Object.entries(properties)) {
      if (!isSchema(value)) throw new Error(`${at}/properties/${key}: not a schema`);
      shape.members.push({ key, schema: value, required: required.delete(key) });
    }
    if (required.size) throw new Error(`${at}: required names ${[...required].join(', ')}, not among its own properties`);
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
      if (!isSchema(schema.additionalProperties) && schema.additionalProperties !== true)
        throw new Error(`${at}: additionalProperties must be a schema or a boolean`);
      shape.additional = schema.additionalProperties;
    }
    // `not: {required: [k]}` (a JobEvent has no `run`) is `k?: never`. A `not` of several keys means "not all
    // of them" (a DatasetEvent has not both `job` and `run`), which a TypeScript type cannot say: left out.
    if (isSchema(schema.not)) {
      const keys = Array.isArray(schema.not.required) ? schema.not.required : [];
      if (Object.keys(schema.not).length !== 1 || !keys.every((k) => typeof k === 'string'))
        throw new Error(`${at}: only "not: {required: [...]}" is supported`);
      if (keys.length === 1) shape.forbidden.push(keys[0] as string);
    }
    return shape;
  }

  /** `{ members }` of an interface or an inline object type, indented for nesting level `indent`. */
  private objectBody(shape: ObjectShape, file: SchemaFile, indent: string): string {
    const inner = `${indent}  `;
    const lines: string[] = [];
    for (const m of shape.members) {
      checkKeywords(m.schema, `${file.file} property ${m.key}`);
      lines.push(
        `${docComment(m.schema, inner)}${inner}${propertyKey(m.key)}${m.required ? '' : '?'}: ${this.typeOf(m.schema, file, inner)};`,
      );
    }
    for (const key of shape.forbidden) lines.push(`${inner}${propertyKey(key)}?: never;`);
    if (shape.additional !== undefined) {
      const value = shape.additional === true ? 'unknown' : this.typeOf(shape.additional, file, inner);
      lines.push(`${inner}[key: string]: ${value};`);
    }
    return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : '{}';
  }

  // -------------------------------------------------------------------------------------------------------
  // Type expressions
  // -------------------------------------------------------------------------------------------------------

  /** The TypeScript type of a schema, as an expression; nested object types are written out at `indent`. */
  typeOf(schema: Schema, file: SchemaFile, indent: string): string {
    checkKeywords(schema, `${file.file} (${JSON.stringify(schema).slice(0, 60)})`);
    if (typeof schema.$ref === 'string') return this.refName(schema.$ref, file);
    if ('const' in schema) return literal(schema.const!);
    if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
    const single = singleAlternative(schema);
    if (single) return this.typeOf(single, file, indent);
    const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
    if (alternatives) return alternatives.map((a) => (isSchema(a) ? this.typeOf(a, file, indent) : 'unknown')).join(' | ');
    const facetMap = this.facetMapOf(schema, file);
    if (facetMap) return facetMap;
    if (Array.isArray(schema.type)) return schema.type.map((t) => this.typeOf({ ...schema, type: t }, file, indent)).join(' | ');
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array': {
        const items = isSchema(schema.items) ? this.typeOf(schema.items, file, indent) : 'unknown';
        return /^[\w.]+$/.test(items) || items.startsWith('{') ? `${items}[]` : `(${items})[]`;
      }
    }
    const shape = this.objectShape(schema, file, file.file);
    if (!shape) return 'unknown';
    if (shape.bases.length) throw new Error(`${file.file}: an inline object extends ${shape.bases.join(', ')}; make it a definition`);
    // A plain map fits on one line, unless its values are objects written out.
    if (!shape.members.length && !shape.forbidden.length) {
      const value = shape.additional === undefined || shape.additional === true ? 'unknown' : this.typeOf(shape.additional, file, indent);
      if (!value.includes('\n')) return `{ [key: string]: ${value} }`;
      shape.additional ??= true;
    }
    return this.objectBody(shape, file, indent);
  }

  /** RunFacets for an object whose additionalProperties is the core RunFacet (and so on for each location). */
  private facetMapOf(schema: Schema, file: SchemaFile): string | undefined {
    if (schema.type !== 'object' || 'properties' in schema || !isSchema(schema.additionalProperties)) return undefined;
    const ref = schema.additionalProperties.$ref;
    const base = typeof ref === 'string' ? this.facetBaseOf(ref, file) : undefined;
    return base ? facetMapName(base) : undefined;
  }

  // -------------------------------------------------------------------------------------------------------
  // Facets by key
  // -------------------------------------------------------------------------------------------------------

  /** Each facet file's keys (its top-level `properties`), with the definition and the location of each. */
  facetKeys(): FacetKey[] {
    const keys: FacetKey[] = [];
    for (const file of this.files.slice(1)) {
      for (const [key, prop] of Object.entries(isSchema(file.schema.properties) ? file.schema.properties : {})) {
        if (!isSchema(prop) || typeof prop.$ref !== 'string')
          throw new Error(`${file.file}: facet key ${key} is not a $ref to a definition`);
        const def = this.refName(prop.$ref, file);
        const parts = get(file.defs[def], 'allOf');
        const bases = (Array.isArray(parts) ? parts : [])
          .map((p) => (isSchema(p) && typeof p.$ref === 'string' ? this.facetBaseOf(p.$ref, file) : undefined))
          .filter((b) => b !== undefined);
        if (bases.length !== 1) throw new Error(`${file.file}: ${def} should extend exactly one core facet definition`);
        keys.push({ key, def, base: bases[0]!, file, schemaUrl: `${file.id}#/$defs/${def}` });
      }
    }
    return keys;
  }
}

interface ObjectShape {
  /** Definitions to extend (the `$ref` parts of an allOf). */
  bases: string[];
  members: { key: string; schema: Schema; required: boolean }[];
  /** The additionalProperties schema, or true; undefined when absent or false. */
  additional: Schema | true | undefined;
  /** Keys the object must not have. */
  forbidden: string[];
}

interface FacetKey {
  key: string;
  def: string;
  base: FacetBase;
  file: SchemaFile;
  /** The facet's `_schemaURL`. */
  schemaUrl: string;
}

function get(v: Json | undefined, key: string): Json | undefined {
  return isSchema(v) ? v[key] : undefined;
}

/** The only alternative of a one-alternative anyOf/oneOf, merged with the schema around it. */
function singleAlternative(schema: Schema): Schema | undefined {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (Array.isArray(list) && list.length === 1 && isSchema(list[0])) {
      const { [keyword]: _, ...rest } = schema;
      return { ...rest, ...list[0] };
    }
  }
  return undefined;
}

function checkKeywords(schema: Schema, at: string) {
  for (const keyword of Object.keys(schema))
    if (!KEYWORDS.has(keyword)) throw new Error(`${at}: the keyword ${keyword} is not supported by scripts/build-emitter-types.ts`);
}

// ---------------------------------------------------------------------------------------------------------
// Writing TypeScript (in the shape Biome formats it, so that `biome check` passes on the output as is)
// ---------------------------------------------------------------------------------------------------------

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
const literal = (v: Json) => (typeof v === 'string' ? quote(v) : JSON.stringify(v));
const propertyKey = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key));

/** `key: value,` in an object literal; the value on the next line when the line would exceed 140 columns. */
const objectEntry = (indent: string, key: string, value: string) =>
  `${indent}${key}: ${value},`.length <= 140 ? `${indent}${key}: ${value},` : `${indent}${key}:\n${indent}  ${value},`;

/** A JSDoc comment from the schema's description, format, example and deprecation, wrapped at 120 columns. */
function docComment(schema: Schema, indent: string): string {
  const paragraphs: string[] = [];
  if (typeof schema.description === 'string') paragraphs.push(schema.description);
  if (typeof schema.format === 'string') paragraphs.push(`@format ${schema.format}`);
  if (schema.example !== undefined)
    paragraphs.push(`@example ${typeof schema.example === 'string' ? schema.example : JSON.stringify(schema.example)}`);
  if (schema.deprecated === true) paragraphs.push('@deprecated');
  if (!paragraphs.length) return '';
  const lines = paragraphs.flatMap((p) => wrap(p.replace(/\*\//g, '*\\/'), 120 - indent.length - 3));
  if (lines.length === 1 && indent.length + lines[0]!.length + 7 <= 140) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The output file
// ---------------------------------------------------------------------------------------------------------

/** The content of src/emitter/openlineage-types.ts. */
export function generate(): string {
  const files = [CORE_FILE, ...FACET_FILES].map(readSchemaFile);
  const converter = new Converter(files);
  const core = files[0]!;
  const out: string[] = [];

  const width = Math.max(...files.map((f) => f.file.length));
  out.push(
    '// Generated by scripts/build-emitter-types.ts from the vendored OpenLineage JSON schemas. Do not edit.',
    '// Regenerate with: npx tsx scripts/build-emitter-types.ts',
    '//',
    ...files.map((f) => `// ${f.file.padEnd(width)}  ${f.version}  ${f.id}`),
    '',
  );

  out.push(`// ${'-'.repeat(105)}`, `// Core: ${core.file} (${core.version})`, `// ${'-'.repeat(105)}`, '');
  out.push(
    `/** The $id of the core schema; event schemaURLs point into it. */`,
    `export const OPENLINEAGE_SCHEMA_URL = ${quote(core.id)};`,
    '',
  );
  for (const [name, def] of Object.entries(core.defs)) {
    if (!isSchema(def)) throw new Error(`${core.file}: $defs/${name} is not a schema`);
    out.push(converter.declaration(name, def, core));
  }
  const events = core.schema.oneOf;
  if (!Array.isArray(events)) throw new Error(`${core.file}: expected a top-level oneOf of the event types`);
  out.push('/** Any OpenLineage event. */', `export type OpenLineageEvent = ${converter.typeOf({ oneOf: events }, core, '')};`, '');

  out.push(`// ${'-'.repeat(105)}`, '// Facets', `// ${'-'.repeat(105)}`, '');
  for (const file of files.slice(1)) {
    out.push(`// ${file.file} (${file.version})`, '');
    for (const [name, def] of Object.entries(file.defs)) {
      if (!isSchema(def)) throw new Error(`${file.file}: $defs/${name} is not a schema`);
      out.push(converter.declaration(name, def, file));
    }
  }

  const keys = converter.facetKeys();
  out.push(`// ${'-'.repeat(105)}`, '// Facets by key, as the spec defines them', `// ${'-'.repeat(105)}`, '');
  for (const base of Object.keys(FACET_LOCATIONS) as FacetBase[]) {
    const members = keys
      .filter((k) => k.base === base)
      .map((k) => `  /** ${k.file.file} (${k.file.version}) */\n  ${propertyKey(k.key)}?: ${k.def};`);
    out.push(
      `/** ${FACET_MAP_DOCS[base]}: the standard ones by their key; any other key is a custom facet. */`,
      `export interface ${facetMapName(base)} {`,
      ...members,
      `  [key: string]: ${base} | undefined;`,
      '}',
      '',
    );
  }
  out.push(
    '/** Where a facet goes: run.facets, job.facets, a dataset’s facets, an input’s inputFacets, an output’s outputFacets. */',
    `export type FacetLocation = ${Object.values(FACET_LOCATIONS).map(quote).join(' | ')};`,
    '',
    '/** The `_schemaURL` of each standard facet, by location and key. */',
    'export const FACET_SCHEMA_URLS: Readonly<Record<FacetLocation, Readonly<Record<string, string>>>> = {',
  );
  for (const [base, location] of Object.entries(FACET_LOCATIONS)) {
    const entries = keys.filter((k) => k.base === base).map((k) => objectEntry('    ', propertyKey(k.key), quote(k.schemaUrl)));
    out.push(entries.length ? `  ${location}: {\n${entries.join('\n')}\n  },` : `  ${location}: {},`);
  }
  out.push('};', '');
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(dirname(join(ROOT, OUTPUT_FILE)), { recursive: true });
  writeFileSync(join(ROOT, OUTPUT_FILE), generate());
  console.log(`wrote ${OUTPUT_FILE}`);
}
