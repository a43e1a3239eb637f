#!/usr/bin/env node
// `npx pedigree <command>`: runs the compiled CLI, dist/cli.js (`npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('pedigree: dist/cli.js is missing: run `npm run build` (needs the dev dependencies)');
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(cli.href);
