/** Helpers shared by the bench sections: load loops, percentiles, a server child process, scratch databases. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { buildServer } from '../scripts/bundle';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------------------
// Sections: run.ts calls each in turn and prints its table; more (lineage queries, ...) plug in the same way.

export interface BenchContext {
  /** Admin URL of a Postgres server the bench may create databases on; undefined means PGlite only. */
  databaseUrl: string | undefined;
  /** Which databases to measure: 'pglite', and 'postgres' when databaseUrl is set. */
  databases: ('pglite' | 'postgres')[];
  concurrencies: number[];
  /** Target length of one timed run, unless `events` fixes the count. */
  seconds: number;
  /** BENCH_EVENTS: exactly this many events per timed run. */
  events: number | undefined;
  /**
   * Requests before each timed run, not measured, at most `warmupSeconds` of them: a fresh server compiles
   * its hot functions during its first seconds (over a thousand, on V8's one background thread, still a
   * hundred milliseconds of compiling every few seconds after half a minute), which a server that has run a
   * while no longer does.
   */
  warmup: number;
  warmupSeconds: number;
  /** BENCH_CLIENT: what posts the ingest section's closed loops (bench/wrk.ts). */
  client: 'node' | 'wrk';
  log: (message: string) => void;
}

export interface SectionResult {
  title: string;
  columns: string[];
  rows: string[][];
  /** Printed under the table. */
  notes: string[];
  /** Anything that makes the numbers untrustworthy (non-201 answers, ...); the bench then exits 1. */
  failures: string[];
  json: unknown;
}

export interface Section {
  name: string;
  run: (ctx: BenchContext) => Promise<SectionResult>;
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: finally blocks do not run when the bench is interrupted, so scratch resources register here too.

const cleanups = new Set<() => Promise<void>>();

/** Runs `use`, then `dispose`, also when the bench is interrupted by SIGINT/SIGTERM. */
export async function withCleanup<R>(dispose: () => Promise<void>, use: () => Promise<R>): Promise<R> {
  cleanups.add(dispose);
  try {
    return await use();
  } finally {
    cleanups.delete(dispose);
    await dispose();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    for (const c of children) c.kill('SIGKILL');
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

/**
 * Timed requests per query in the lineage and models sections (BENCH_LINEAGE_SAMPLES): the p99 of fewer than
 * a hundred samples is their slowest, one garbage collection or one cold page.
 */
export const lineageSamples = () => Number(process.env.BENCH_LINEAGE_SAMPLES ?? 200);

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LoadResult {
  count: number;
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * `concurrency` loops, each taking the next index and awaiting `task(i)`, timed one by one. The run ends
 * after `limit` tasks, or once `seconds` have passed (tasks in flight then still finish and count).
 */
export async function loadLoop(options: {
  concurrency: number;
  limit: number;
  seconds?: number;
  task: (i: number) => Promise<void>;
}): Promise<LoadResult> {
  const { concurrency, limit, seconds, task } = options;
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const deadline = seconds === undefined ? Infinity : start + seconds * 1000;
  const loop = async () => {
    while (next < limit && performance.now() < deadline) {
      const i = next++;
      const t = performance.now();
      await task(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return summary(latencies, start);
}

/** What a loop measured: its latencies (ms) since `start`, as rate and percentiles. */
function summary(latencies: number[], start: number): LoadResult {
  const elapsedMs = performance.now() - start;
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: latencies.length,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

/**
 * Open loop: `task(i)` started at a fixed `rate` per second for `seconds` (or `limit` tasks), whatever the
 * tasks in flight, as producers send whether or not the collector keeps up. Each latency runs from when the
 * task was due, so a generator that falls behind does not hide the wait (coordinated omission).
 */
export async function openLoop(options: {
  rate: number;
  seconds: number;
  limit: number;
  /** Resolves to false for a task whose latency is not part of the result. */
  task: (i: number) => Promise<boolean | undefined>;
}) {
  const { rate, seconds, limit, task } = options;
  const latencies: number[] = [];
  const start = performance.now();
  const total = Math.min(limit, Math.floor(rate * seconds));
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; ) {
    const now = performance.now();
    for (; i < total && start + (i * 1000) / rate <= now; i++) {
      const due = start + (i * 1000) / rate;
      running.push(task(i).then((timed) => void (timed !== false && latencies.push(performance.now() - due))));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(running);
  return summary(latencies, start);
}

/** Peak resident set (VmHWM) of a live process in MB, from /proc (Linux only; undefined elsewhere). */
export async function peakRssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms, from /proc (Linux; undefined
 * elsewhere). Per event, it is what the server costs whatever else shares the machine, which throughput
 * on two shared cores is not.
 */
export async function cpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: Linux reports CPU times in hundredths of a second on every architecture it runs on. */
const TICKS_PER_SECOND = 100;

// ---------------------------------------------------------------------------------------------------------
// HTTP

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One POST of a JSON string through a keep-alive agent; resolves with whatever status came back, and the body. */
export function postJson(
  agent: http.Agent,
  url: URL,
  body: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A port nobody listens on right now (the server child binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// The server as a child process

const children = new Set<ChildProcess>();
// Whatever way the bench ends, no server is left behind (SIGKILL: 'exit' handlers cannot wait).
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export interface ServerChild {
  url: URL;
  pid: number;
  /** Last lines the server wrote to stderr (errors it logged). */
  stderrTail: () => string[];
  stderrLines: () => number;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop: () => Promise<void>;
}

let built: Promise<void> | undefined;

/**
 * The node flags of `npm start` (package.json `scripts.start`: `node <flags> dist/node.js`), so that the
 * bench measures the server as it is run, memory flags included.
 */
async function startFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = pkg.scripts.start.split(' ').filter(Boolean);
  if (node !== 'node' || rest.at(-1) !== 'dist/node.js') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return rest.slice(0, -1);
}

/**
 * Starts the server as `npm start` does (`node <its flags> dist/node.js`, the bundle built from the sources
 * once per bench run) with `env` (PORT is chosen here), and resolves once /healthcheck answers 200. Node
 * itself is the child (not npm or a shell), so its pid is the server's. `entry`: another server to run
 * with the same flags in its place (node arguments after the flags: the ingest section's HTTP floor).
 */
export async function startServer(env: Record<string, string>, entry: string[] = ['dist/node.js']): Promise<ServerChild> {
  built ??= buildServer(repoRoot);
  await built;
  const port = await freePort();
  // The collector's defaults are what is measured: settings from the bench's own environment stay out.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PEDIGREE_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  );
  // BENCH_SERVER_NODE_ARGS: more flags for the server's node (`--cpu-prof`, which NODE_OPTIONS refuses; a
  // later flag overrides the start script's); BENCH_SERVER_ENV: settings to compare against the defaults
  // (`PEDIGREE_LOG_LEVEL=warn`).
  const nodeArgs = [...(await startFlags()), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const settings = Object.fromEntries(
    (process.env.BENCH_SERVER_ENV ?? '')
      .split(' ')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: repoRoot,
    env: { ...inherited, ...settings, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  const tail: string[] = [];
  let lines = 0;
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    const parts = (partial + s).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines++;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  let alive = true;
  void exited.then(() => (alive = false));

  const stop = async () => {
    if (!alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const url = new URL(`http://127.0.0.1:${port}`);
  const startedAt = Date.now();
  for (;;) {
    if (!alive) throw new Error(`server exited during start:\n${tail.join('\n')}`);
    if (Date.now() - startedAt > 120_000) {
      await stop();
      throw new Error(`server did not become healthy within 120 s:\n${tail.join('\n')}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get(new URL('/healthcheck', url), (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid!, stderrTail: () => [...tail], stderrLines: () => lines, stop };
}

/** GET through a keep-alive agent; the body is read and counted, not kept. */
export function getJson(agent: http.Agent, url: URL): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      })
      .on('error', reject);
  });
}

/** Runs `fn` n times in sequence; p50 and p99 of the durations, in ms. */
export async function timed(n: number, fn: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/**
 * Two things timed on the same inputs, interleaved: for each i both run, `a` first for even i and `b` first
 * for odd. Timed one after the other, the second would run on the pages the first just read (a cold start
 * node's edges, in the lineage section), and the first would pay for both.
 */
export async function timedPair(n: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  const ms: [number[], number[]] = [[], []];
  const one = async (k: 0 | 1, i: number) => {
    const t = performance.now();
    await (k === 0 ? a : b)(i);
    ms[k].push(performance.now() - t);
  };
  for (let i = 0; i < n; i++) {
    const first = i % 2 === 0 ? 0 : 1;
    await one(first, i);
    await one(first === 0 ? 1 : 0, i);
  }
  const summary = (list: number[]) => {
    list.sort((x, y) => x - y);
    return { p50: percentile(list, 50), p99: percentile(list, 99) };
  };
  return { a: summary(ms[0]), b: summary(ms[1]) };
}

// ---------------------------------------------------------------------------------------------------------
// Scratch databases

/** A fresh temporary directory, removed by `remove`. */
export async function tempDir(prefix: string) {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A checkpoint, so that a run does not pay for the pages and WAL the run before it left (with fsync on, its
 * flushes would fall in this run's time). Needs a superuser or pg_checkpoint: without, runs go on as they are.
 */
async function checkpoint(admin: postgres.Sql) {
  try {
    await admin.unsafe('checkpoint');
  } catch {
    // Not allowed: the run inherits what the last one left, as before.
  }
}

/** What a commit costs depends on these: the bench prints them with its figures. */
export async function postgresSettings(adminUrl: string): Promise<Record<string, string>> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const names = [
      'server_version',
      'fsync',
      'synchronous_commit',
      'wal_sync_method',
      'full_page_writes',
      'shared_buffers',
      'max_wal_size',
    ];
    const rows = await admin.unsafe<{ name: string; setting: string }[]>(
      'select name, current_setting(name) as setting from unnest($1::text[]) as name',
      [names],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * A fresh database `bench_<random>` on the server named by `adminUrl`, and its URL; `drop` removes it
 * (WITH (FORCE): a connection left behind by a killed child must not keep it alive).
 */
export async function scratchPostgres(adminUrl: string, template?: string) {
  const name = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // A copy of `template` (a file copy: a loaded store in seconds, with no session connected to it).
    await admin.unsafe(`create database ${name}${template ? ` template "${template.replaceAll('"', '""')}"` : ''}`);
    await checkpoint(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await a.end({ timeout: 5 });
    }
  };
  return { name, url: url.toString(), drop };
}

// ---------------------------------------------------------------------------------------------------------
// Output

export const fixed = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));

/** A plain-text table; a column whose cells are all numbers (or "—") is right-aligned. */
export function formatTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = columns.map((_, i) => rows.every((r) => /^[-+\d.,×—%]*$/.test(r[i] ?? '')));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
