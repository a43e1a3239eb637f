/**
 * Builds dist/, the JavaScript that `npm start`, `npx pedigree` and `pedigree/emitter` run (no tsx at run
 * time). The sources import each other without extensions (moduleResolution Bundler), so esbuild bundles each
 * entry point into one ESM file. Every npm package stays external, imported from node_modules at run time: the
 * bundles hold Pedigree's own code, the validators of src/spec/generated/ included (`npm run build` runs
 * `npm run build:spec` first). `prepare`, so `npm ci`, runs `npm run build`.
 *
 *   dist/node.js, dist/cli.js       the server and the CLI (bin/pedigree.js imports dist/cli.js)
 *   dist/normalize-thread.js        the server's normalization thread (src/ingest/normalizer-thread.ts)
 *   dist/db/pglite-initdb.mjs       run as a child process by src/service.ts, at ./db/ as from src/service.ts
 *   dist/emitter/index.js, *.d.ts   the `pedigree/emitter` export and its declarations (tsc)
 *
 * Files read at run time are not copied: drizzle/ is found from the package root (src/package-root.ts).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { buildServer } from './bundle';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

// 1. Bundles. No code splitting: each entry is one file, so relative paths from it are those from src/.
await buildServer(root, ['src/node.ts', 'src/cli.ts', 'src/emitter/index.ts']);

// 2. Declarations of the emitter, checked by tsc with the project's options. tsc keeps the sources'
//    extensionless specifiers, which Node-style resolution (node16/nodenext) cannot follow: add `.js`.
const tsconfig = ts.readConfigFile(join(root, 'tsconfig.json'), (file) => ts.sys.readFile(file));
const { options } = ts.convertCompilerOptionsFromJson(tsconfig.config.compilerOptions, root);
const emitterSrc = join(root, 'src', 'emitter');
const emitterOut = join(dist, 'emitter');
const program = ts.createProgram([join(emitterSrc, 'index.ts')], {
  ...options,
  noEmit: false,
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: emitterSrc,
  outDir: emitterOut,
});
const emitted = program.emit();
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  throw new Error(`declarations of src/emitter/:\n${ts.formatDiagnostics(diagnostics, host)}`);
}
for (const file of readdirSync(emitterOut).filter((f) => f.endsWith('.d.ts'))) {
  const path = join(emitterOut, file);
  const text = readFileSync(path, 'utf8').replace(
    /(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]*?)(?<!\.js)\2/g,
    (_, before: string, quote: string, specifier: string) => `${before}${quote}${specifier}.js${quote}`,
  );
  writeFileSync(path, text);
}

// 3. Every `new URL('./…', import.meta.url)` left in a bundle must name a file that exists beside it.
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
const outputs = files(dist);
for (const file of outputs.filter((f) => /\.m?js$/.test(f))) {
  for (const m of readFileSync(file, 'utf8').matchAll(/new URL\(\s*(['"])(\.[^'"]*)\1\s*,\s*import\.meta\.url\s*\)/g)) {
    if (!existsSync(new URL(m[2]!, pathToFileURL(file)))) {
      throw new Error(`${relative(root, file)} refers to ${m[2]}, which is not in dist/: add it to scripts/build.ts`);
    }
  }
}

const kb = (file: string) => `${Math.round(statSync(join(dist, file)).size / 1024)} KB`;
console.log(
  `build: dist/ (node.js ${kb('node.js')}, cli.js ${kb('cli.js')}, emitter/index.js ${kb('emitter/index.js')}, ` +
    `${outputs.length} files) in ${Math.round(performance.now() - started)} ms`,
);
