import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Every module (file or package) reachable by static imports from an entry in src/. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), `${base}/index.ts`];
      const found = candidates.find((c) => {
        try {
          return readFileSync(c) && true;
        } catch {
          return false;
        }
      });
      if (found && /\.(ts|js|mjs)$/.test(found)) visit(found);
    }
  };
  visit(resolve(src, entry));
  return { files, packages };
}

describe('the app is runtime-neutral', () => {
  it.each(['app.ts', 'worker.ts'])('%s reaches nothing Node-only (Cloudflare Workers with nodejs_compat)', (entry) => {
    const { packages } = importGraph(entry);
    // node:crypto is provided by Workers' nodejs_compat; file systems, processes and PGlite are not.
    const nodeOnly = [...packages].filter(
      (p) => (p.startsWith('node:') && p !== 'node:crypto') || p.startsWith('@electric-sql/pglite') || p.startsWith('@hono/node-server'),
    );
    expect(nodeOnly).toEqual([]);
  });
});
