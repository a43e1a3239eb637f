import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wranglerBin = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export interface WranglerDevOptions {
  /** The PostgreSQL database the HYPERDRIVE binding reaches (Hyperdrive's local connection string). */
  databaseUrl?: string;
  /** The Worker's variables (`--var`), as `wrangler secret put` or `[vars]` would give them. */
  vars?: Record<string, string>;
  /**
   * Without the [[hyperdrive]] binding: the Worker then connects straight to `DATABASE_URL` of `vars`
   * (Miniflare's Hyperdrive proxy ends wrangler on the first socket error, so a database that cannot be
   * reached is tried so).
   */
  withoutHyperdrive?: boolean;
  /**
   * Without the [assets] section: wrangler 4.86's local runtime hands a scheduled event to the assets
   * router first, which fails to pass it on ("DataCloneError: Could not serialize object of type
   * ScheduledController"); on Cloudflare the cron reaches the Worker itself. The cron test runs so.
   */
  withoutAssets?: boolean;
}

export interface WranglerDev {
  url: string;
  /** What wrangler and workerd printed so far (to explain a failure). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Miniflare's Hyperdrive refuses a connection string without a password; a server that trusts the test
 * user ignores the placeholder.
 */
function withPassword(url: string): string {
  const u = new URL(url);
  if (!u.password) u.password = 'unused';
  return u.toString();
}

/**
 * The project's wrangler.toml, rewritten into `dir` with absolute paths: wrangler then keeps its bundle
 * (.wrangler/tmp) in `dir` too, and reads no .dev.vars or .env from the repository (a developer's would
 * change what the tests see). Nothing else of the configuration changes.
 */
function writeConfig(dir: string, options: WranglerDevOptions): string {
  let toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const rewrite = (pattern: RegExp, to: (path: string) => string) => {
    if (!pattern.test(toml)) throw new Error(`wrangler.toml: ${pattern} not found`);
    toml = toml.replace(pattern, (_, key: string, path: string) => `${key}${JSON.stringify(to(path))}`);
  };
  rewrite(/^(main\s*=\s*)"([^"]+)"/m, (path) => join(root, path));
  if (options.withoutHyperdrive) toml = toml.replace(/^\[\[hyperdrive\]\][\s\S]*?(?=^\[|(?![\s\S]))/m, '');
  if (options.withoutAssets) toml = toml.replace(/^\[assets\][\s\S]*?(?=^\[|(?![\s\S]))/m, '');
  else rewrite(/^(directory\s*=\s*)"([^"]+)"/m, (path) => join(root, path));
  const path = join(dir, 'wrangler.toml');
  writeFileSync(path, toml);
  return path;
}

/** Processes still running, killed if the test process exits without its afterAll (a crash, a timeout). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    // wrangler runs workerd as its child: the group takes both.
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * `wrangler dev` (workerd, through Miniflare) serving the Worker of wrangler.toml on a free port, its
 * HYPERDRIVE binding pointing at `databaseUrl`. Everything wrangler writes (its state, logs, bundle,
 * caches) stays in a temporary directory removed by `stop()`; it neither logs in, sends telemetry, checks
 * for updates nor fetches the `Request.cf` object. The database must be migrated first: Workers never
 * migrate.
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const dir = mkdtempSync(join(tmpdir(), 'pedigree-wrangler-'));
  const config = writeConfig(dir, options);
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    WRANGLER_LOG_PATH: join(dir, 'logs'),
    WRANGLER_REGISTRY_PATH: join(dir, 'registry'),
    WRANGLER_CACHE_DIR: join(dir, 'cache'),
    MINIFLARE_CACHE_DIR: join(dir, 'cache'),
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'false',
    ...(options.databaseUrl && { CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: withPassword(options.databaseUrl) }),
  };
  const args = [
    ...['dev', '--config', config, '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0'],
    ...['--persist-to', join(dir, 'state'), '--test-scheduled', '--show-interactive-dev-session=false', '--log-level', 'info'],
    ...vars,
  ];
  const child = spawn(process.execPath, [wranglerBin, ...args], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (running.delete(child)) {
      // SIGTERM lets wrangler stop workerd and remove its bundle; the group is killed if it lingers.
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('wrangler dev did not start within 60 s')), 60_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited (${code}) before it was ready`));
      });
    });
    return { url, output: () => output, stop };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}:\n${output}`);
  }
}
