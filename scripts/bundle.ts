import { type BuildOptions, build } from 'esbuild';

/**
 * The server's bundles as `npm start` runs them (scripts/build.ts builds them with the rest of dist/; the
 * bench rebuilds just these, so that it measures the production server and not one under tsx, whose
 * loader thread alone adds about 100 MB of memory).
 */
export const bundleOptions = (root: string): BuildOptions => ({
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  outbase: 'src',
  outdir: 'dist',
  logLevel: 'warning',
});

/**
 * dist/node.js, the normalization thread it starts (dist/normalize-thread.js), and the PGlite initdb script
 * it runs (dist/db/pglite-initdb.mjs).
 */
export async function buildServer(root: string, entryPoints: string[] = ['src/node.ts']): Promise<void> {
  const common = bundleOptions(root);
  await Promise.all([
    build({ ...common, entryPoints: [...entryPoints, 'src/normalize-thread.ts'] }),
    build({ ...common, entryPoints: ['src/db/pglite-initdb.mjs'], outExtension: { '.js': '.mjs' } }),
  ]);
}
