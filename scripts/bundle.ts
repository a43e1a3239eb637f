import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';

/**
 * The server's bundles as `npm start` runs them (scripts/build.ts builds them with the rest of dist/; the
 * bench rebuilds just these, so that it measures the production server and not one under tsx, whose
 * loader thread alone adds about 100 MB of memory).
 *
 * Memory, for the embedded server's budget: V8 keeps each bundle's source for lazy compilation, one byte a
 * character only while all of it is ASCII (one `…` left in a comment doubled 4.7 MB of source to 9.4);
 * and `--enable-source-maps` keeps each map parsed, so the maps carry positions only, not the sources'
 * text (Node reads an original line from src/ when it prints an uncaught error).
 */
export const bundleOptions = (root: string): BuildOptions => ({
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  charset: 'ascii',
  sourcemap: true,
  sourcesContent: false,
  outbase: 'src',
  outdir: 'dist',
  logLevel: 'warning',
  metafile: true,
});

/**
 * dist/node.js, the normalization thread it starts (dist/normalize-thread.js), and the PGlite initdb script
 * it runs (dist/db/pglite-initdb.mjs).
 */
export async function buildServer(root: string, entryPoints: string[] = ['src/node.ts']): Promise<void> {
  const common = bundleOptions(root);
  const results = await Promise.all([
    build({ ...common, entryPoints: [...entryPoints, 'src/normalize-thread.ts'] }),
    build({ ...common, entryPoints: ['src/db/pglite-initdb.mjs'], outExtension: { '.js': '.mjs' } }),
  ]);
  for (const { metafile } of results) await assertAscii(root, metafile!);
}

/** esbuild escapes non-ASCII characters in code, not in the comments it keeps: find any that are left. */
async function assertAscii(root: string, metafile: Metafile): Promise<void> {
  for (const output of Object.keys(metafile.outputs).filter((f) => /\.m?js$/.test(f))) {
    const lines = (await readFile(join(root, output), 'utf8')).split('\n');
    const at = lines.findIndex((line) => /[^\x00-\x7f]/.test(line));
    if (at >= 0) {
      throw new Error(
        `${output}:${at + 1} has a non-ASCII character, which makes V8 keep the whole bundle's source as UTF-16 ` +
          `(twice its memory): write it as ASCII in the source (esbuild kept this comment):\n${lines[at]!.trim()}`,
      );
    }
  }
}
