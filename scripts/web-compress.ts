/**
 * After `vite build`: writes a gzipped copy beside each text file of dist/web/ (served to clients that accept
 * gzip, src/ui-node.ts) and reports the first load: index.html and what it loads before the first page
 * renders (its scripts, styles and module preloads), gzipped. The graph code is not in it: it loads lazily.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

export const webDir = fileURLToPath(new URL('../dist/web', import.meta.url));

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
const gzip = (bytes: Buffer) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });

/** The files of the first load and their gzipped sizes, in bytes. */
export function firstLoad(dir = webDir): { files: { path: string; gzip: number }[]; gzipBytes: number } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const loaded = ['index.html', ...new Set(referenced)].map((path) => ({ path, gzip: gzip(readFileSync(join(dir, path))).length }));
  return { files: loaded, gzipBytes: loaded.reduce((sum, f) => sum + f.gzip, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of files(webDir).filter((f) => /\.(?:html|js|css|svg|json|txt)$/.test(f)))
    writeFileSync(`${file}.gz`, gzip(readFileSync(file)));
  // Workers serve the folder as static assets and compress on their own: the gzipped copies stay out.
  writeFileSync(join(webDir, '.assetsignore'), '*.gz\n');
  const load = firstLoad();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `web: first load ${kb(load.gzipBytes)} gzipped (${load.files.map((f) => `${relative('.', f.path)} ${kb(f.gzip)}`).join(', ')})`,
  );
}
