// `prepare`: run by `npm ci` and `npm install`, and by `npx pedigree` in the project (npm installs the project
// into its npx cache to link the bin, which runs `prepare`). Builds dist/ and the validators (`npm run build`),
// which needs the dev dependencies. Without them (`npm ci --omit=dev`, a tree after `npm prune --omit=dev`) an
// existing dist/ is kept, and a missing one is an error; `npx pedigree` keeps an existing dist/ too (running a
// command does not rebuild). Plain JavaScript: it runs before, or without, tsx.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (path) => existsSync(new URL(`../${path}`, import.meta.url));
const built = has('dist/node.js') && has('dist/cli.js');
const devDependencies = has('node_modules/tsx/package.json') && has('node_modules/esbuild/package.json');

if (built && (!devDependencies || process.env.npm_command === 'exec')) {
  console.log('prepare: dist/ is built; not rebuilding it');
  process.exit(0);
}
if (!devDependencies) {
  console.error('prepare: dist/ is missing and the dev dependencies that build it are not installed: `npm ci`, then `npm run build`');
  process.exit(1);
}
const npm = process.env.npm_execpath;
const result = spawnSync(npm ? process.execPath : 'npm', [...(npm ? [npm] : []), 'run', 'build'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
