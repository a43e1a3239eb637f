/**
 * The closed loops of the ingest section through wrk (BENCH_CLIENT=wrk; Debian's `wrk` package), in place of
 * the bench's own Node client. A producer posts from another machine: whatever the load generator spends
 * here is taken from the server's two cores. Node's `http` client spends 50–110 µs of CPU a request
 * (bench README), wrk, in C, 28 (measured at concurrency 32, mostly the kernel's socket writes of the
 * bodies): the server is then measured nearer to how it runs in production.
 * The in-process baselines keep their own client (a database driver); only HTTP runs go through wrk.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type BenchContext, type LoadResult, tempDir } from './lib';

/**
 * BENCH_CLIENT: `node` (default; the client of every earlier pass) or `wrk`. wrk runs for a time, not a
 * count: BENCH_EVENTS is refused with it.
 */
export function benchClient(events: number | undefined): BenchContext['client'] {
  const raw = process.env.BENCH_CLIENT || 'node';
  if (raw !== 'node' && raw !== 'wrk') throw new Error(`BENCH_CLIENT must be node or wrk, got "${raw}"`);
  if (raw === 'wrk' && events !== undefined) throw new Error('BENCH_CLIENT=wrk times runs by BENCH_SECONDS: unset BENCH_EVENTS');
  return raw;
}

/**
 * One wrk thread (it drives 32 connections from one core's fraction with epoll). Its Lua state reads the
 * bodies once, separated by NUL (which JSON text cannot hold unescaped), and posts them in turn, from the
 * first; `wrapped` counts the posts past the last (the bodies came round again). `done` writes the run as
 * one JSON line: wrk's summary (requests, µs elapsed, error counts) and its latency percentiles in µs.
 */
const SCRIPT = `
local bodies = {}
do
  local f = assert(io.open(os.getenv("WRK_BODIES"), "rb"))
  local data = f:read("*a")
  f:close()
  local from = 1
  while true do
    local at = string.find(data, "\\0", from, true)
    if not at then break end
    bodies[#bodies + 1] = string.sub(data, from, at - 1)
    from = at + 1
  end
end
local headers = { ["Content-Type"] = "application/json" }
local next = 0
wrapped = 0
function request()
  next = next + 1
  if next > #bodies then next = 1; wrapped = wrapped + 1 end
  return wrk.format("POST", nil, headers, bodies[next])
end
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function done(summary, latency, requests)
  local e = summary.errors
  local w = 0
  for _, t in ipairs(threads) do w = w + (t:get("wrapped") or 0) end
  io.write(string.format('{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"wrapped":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), w))
end
`;

interface WrkSummary {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50Us: number;
  p99Us: number;
  wrapped: number;
}

/** The bodies as wrk's script reads them, written apart so that writing them is not timed. */
export interface WrkBodies {
  count: number;
  path: string;
  remove: () => Promise<void>;
}

export async function wrkBodies(bodies: string[]): Promise<WrkBodies> {
  const dir = await tempDir('pedigree-bench-wrk-');
  const path = join(dir.path, 'bodies');
  await writeFile(path, `${bodies.join('\0')}\0`);
  await writeFile(join(dir.path, 'post.lua'), SCRIPT);
  return { count: bodies.length, path, remove: dir.remove };
}

/**
 * The bodies POSTed to `url` in turn by `concurrency` connections for `seconds`. Fails the run if any answer
 * was not 2xx or 3xx, or a connection failed (the collector's answers are 201 for what the bench posts),
 * or, unless `cycle`, if wrk came round to the first body again (the server would have been posted some
 * events twice).
 */
export async function wrkLoop(options: {
  url: URL;
  bodies: WrkBodies;
  concurrency: number;
  seconds: number;
  cycle: boolean;
}): Promise<LoadResult> {
  const { url, bodies, concurrency, seconds, cycle } = options;
  const timeout = `${Math.max(10, seconds * 4)}s`;
  const script = join(dirname(bodies.path), 'post.lua');
  const args = ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--timeout', timeout, '-s', script, url.toString()];
  const stdout = await run('wrk', args, { WRK_BODIES: bodies.path });
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line) as WrkSummary;
  const failed = s.connect + s.read + s.write + s.status + s.timeout;
  if (failed > 0) throw new Error(`wrk against ${url}: ${failed} requests failed ${line}`);
  if (!cycle && s.wrapped > 0) throw new Error(`wrk against ${url} ran out of the ${bodies.count} bodies`);
  const elapsedMs = s.durationUs / 1000;
  return { count: s.requests, elapsedMs, perSecond: s.requests / (elapsedMs / 1000), p50Ms: s.p50Us / 1000, p99Ms: s.p99Us / 1000 };
}

/** wrkLoop over bodies written for this run alone. */
export async function wrkLoopOver(options: { url: URL; bodies: string[]; concurrency: number; seconds: number; cycle: boolean }) {
  const bodies = await wrkBodies(options.bodies);
  try {
    return await wrkLoop({ ...options, bodies });
  } finally {
    await bodies.remove();
  }
}

function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new Error(
            missing ? 'BENCH_CLIENT=wrk needs wrk on the PATH (Debian: apt-get install wrk)' : `wrk failed: ${stderr || error.message}`,
          ),
        );
      } else resolve(stdout);
    });
  });
}
