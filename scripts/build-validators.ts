/**
 * Compiles the vendored OpenLineage schemas (spec/) into standalone validator code, so that nothing
 * compiles a schema at run time (Cloudflare Workers forbid it; it also keeps start-up fast).
 * Writes src/spec/generated/validators.js (+ .d.ts) and src/spec/generated/index.json. Run by `npm ci`
 * (prepare) and `npm run build:spec`; the output is not committed.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type Ajv2020Type from 'ajv/dist/2020.js';
import type standaloneType from 'ajv/dist/standalone/index.js';

// ajv is CommonJS; its internals (the code generator's _Code) are reached through require.
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as typeof Ajv2020Type;
const standaloneCode = require('ajv/dist/standalone').default as typeof standaloneType;
const { _Code } = require('ajv/dist/compile/codegen/code') as { _Code: new (code: string) => import('ajv/dist/compile/codegen/code').Code };
import { formats } from '../src/spec/formats';

const root = fileURLToPath(new URL('..', import.meta.url));
const specDir = join(root, 'spec');
const outDir = join(root, 'src/spec/generated');

type Schema = Record<string, unknown> & { $id?: string; $defs?: Record<string, unknown>; definitions?: Record<string, unknown>; properties?: Record<string, { $ref?: string }> };

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

const started = performance.now();
const schemas = new Map<string, Schema>();
for (const file of jsonFiles(specDir).sort()) {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Schema;
  // spec/facets/X.json and spec/published/facets/<v>/X.json share their $id when they are the same release.
  if (schema.$id && !schemas.has(schema.$id)) schemas.set(schema.$id, schema);
}

const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: Object.fromEntries(Object.entries(formats).map(([k, v]) => [k, v])),
  code: { source: true, esm: true, formats: new _Code(`{${Object.entries(formats).map(([k, v]) => `${JSON.stringify(k)}: ${v.toString()}`).join(', ')}}`) },
});
for (const schema of schemas.values()) ajv.addSchema(schema);

// Core schemas 1-0-5 and 2-0-0 $ref facet files relative to themselves that were never published there.
// Facets are validated by their key below, so such refs stand for "any facet".
for (;;) {
  try {
    for (const id of schemas.keys()) ajv.getSchema(id);
    break;
  } catch (e) {
    const missing = (e as { missingSchema?: string }).missingSchema;
    if (!missing) throw e;
    ajv.addSchema({ $id: missing }, missing);
  }
}

const LOCATIONS = [
  ['InputDatasetFacet', 'inputDataset'],
  ['OutputDatasetFacet', 'outputDataset'],
  ['DatasetFacet', 'dataset'],
  ['JobFacet', 'job'],
  ['RunFacet', 'run'],
] as const;

const exports: Record<string, string> = {};
const core: Record<string, Record<string, string>> = {};
const facets: Record<string, Record<string, { version: string; name: string; fn: string }[]>> = {};

for (const [id, schema] of schemas) {
  const coreMatch = /\/spec\/(\d+-\d+-\d+)\/OpenLineage\.json$/.exec(id);
  if (coreMatch) {
    const version = coreMatch[1]!;
    const defsKey = schema.$defs ? '$defs' : 'definitions';
    const defs = schema.$defs ?? schema.definitions ?? {};
    for (const kind of ['RunEvent', 'DatasetEvent', 'JobEvent'] as const) {
      if (!(kind in defs)) continue;
      const fn = `core_${version.replace(/-/g, '_')}_${kind}`;
      exports[fn] = `${id}#/${defsKey}/${kind}`;
      (core[version] ??= {})[kind] = fn;
    }
    continue;
  }
  const facetMatch = /\/spec\/facets\/(\d+-\d+-\d+)\/(\w+)\.json$/.exec(id);
  if (!facetMatch) continue;
  const version = facetMatch[1]!;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = /^#\/\$defs\/(\w+)$/.exec(prop.$ref ?? '')?.[1];
    if (!name) continue;
    const location = LOCATIONS.find(([suffix]) => name.endsWith(suffix))?.[1];
    if (!location) continue;
    const fn = `facet_${name}_${version.replace(/-/g, '_')}`;
    exports[fn] = `${id}#/$defs/${name}`;
    const list = ((facets[location] ??= {})[key] ??= []);
    if (!list.some((f) => f.version === version && f.name === name)) list.push({ version, name, fn });
  }
}
const byVersion = (a: string, b: string) => {
  const pa = a.split('-').map(Number), pb = b.split('-').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
};
for (const keys of Object.values(facets)) for (const list of Object.values(keys)) list.sort((a, b) => byVersion(a.version, b.version));

const code = standaloneCode(ajv, exports);
if (/\brequire\(|new Function|\beval\(/.test(code)) throw new Error('generated validators must not require, eval or new Function');

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'validators.js'), `// Generated by scripts/build-validators.ts from spec/. Do not edit.\n${code}`);
writeFileSync(
  join(outDir, 'validators.d.ts'),
  `// Generated by scripts/build-validators.ts. Do not edit.\nimport type { ValidateFunction } from './types';\n${Object.keys(exports)
    .map((fn) => `export declare const ${fn}: ValidateFunction;`)
    .join('\n')}\n`,
);
writeFileSync(
  join(outDir, 'types.d.ts'),
  `// Generated by scripts/build-validators.ts. Do not edit.\nexport interface ValidationError { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }\nexport interface ValidateFunction { (data: unknown): boolean; errors?: ValidationError[] | null }\n`,
);
writeFileSync(join(outDir, 'index.json'), `${JSON.stringify({ core, facets }, null, 1)}\n`);
console.log(
  `build:spec: ${Object.keys(exports).length} validators from ${schemas.size} schemas (${relative(root, specDir)}/) in ${Math.round(performance.now() - started)} ms, ${Math.round(code.length / 1024)} KB`,
);
