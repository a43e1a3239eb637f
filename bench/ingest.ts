/**
 * Ingest: real corpus events over HTTP into a server child process, against a bare single-row JSONB insert
 * of the same bodies into the same kind of database at the same concurrency (the baseline). Acceptance (the
 * 201, the event durable) is timed apart from normalization, which runs behind it in the server: how long
 * the server takes to normalize everything it accepted (sustained throughput), and, at the highest
 * concurrency, how long an event waits to be normalized at 80% of that throughput (the lag).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { newRunId } from '../src/emitter/events';
import { prepareEvent } from '../src/ingest/ingest';
import { corpusFiles, corpusText } from '../test/support/events';
import {
  type BenchContext,
  cpuMs,
  fixed,
  type LoadResult,
  loadLoop,
  openLoop,
  peakRssMb,
  postJson,
  type Section,
  type SectionResult,
  type ServerChild,
  scratchPostgres,
  startServer,
  tempDir,
  withCleanup,
} from './lib';
import { wrkBodies, wrkLoop, wrkLoopOver } from './wrk';

/** Bodies built when no BENCH_EVENTS is given: more than any timed run here consumes (runs stop early if not). */
const DEFAULT_POOL = 20_000;

// ---------------------------------------------------------------------------------------------------------
// Bodies

interface Corpus {
  files: number;
  /** Accepted RunEvents: the templates that are replicated. */
  templates: { file: string; text: string; runIds: string[] }[];
  rejected: string[];
  /** Accepted, but with no runId to refresh (Dataset/JobEvents): every replica would be the same event. */
  withoutRunId: string[];
}

export function loadCorpus(): Corpus {
  const corpus: Corpus = { files: 0, templates: [], rejected: [], withoutRunId: [] };
  for (const file of corpusFiles()) {
    corpus.files++;
    const text = corpusText(file);
    const prepared = prepareEvent(text, { strict: false });
    if (!prepared.ok) corpus.rejected.push(file);
    else {
      const runIds = runIdsOf(JSON.parse(text));
      if (runIds.length === 0) corpus.withoutRunId.push(file);
      else corpus.templates.push({ file, text, runIds });
    }
  }
  return corpus;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** run.runId, and the parent facet's run.runId and root.run.runId: the ids that tie a hierarchy together. */
function runIdsOf(event: unknown): string[] {
  const run = obj(obj(event)?.run);
  const parent = obj(obj(run?.facets)?.parent);
  const candidates = [run?.runId, obj(parent?.run)?.runId, obj(obj(parent?.root)?.run)?.runId];
  return candidates.filter((id): id is string => typeof id === 'string' && UUID.test(id));
}

/**
 * `count` bodies: the templates over and over, each replica with fresh runIds and its event times a minute
 * after the previous replica's, as a producer's runs follow each other (later runs, later dataset versions).
 * The ids and times are replaced in the text (so the rest of each body stays byte for byte as the producer
 * sent it), ids through one map per replica: a parent run and its children get the same new id, so
 * hierarchies stay coherent. `firstReplica` continues a series built before (a long run, built step by step).
 */
export function buildBodies(templates: Corpus['templates'], count: number, firstReplica = 0): string[] {
  const all = [...new Set(templates.flatMap((t) => t.runIds.map((id) => id.toLowerCase())))];
  const pattern = new RegExp(`"(${all.join('|')})"`, 'gi');
  const bodies: string[] = [];
  for (let replica = firstReplica; bodies.length < count; replica++) {
    const fresh = new Map<string, string>();
    const replace = (_: string, id: string) => {
      const key = id.toLowerCase();
      let to = fresh.get(key);
      if (!to) {
        to = freshLike(key, replica);
        fresh.set(key, to);
      }
      return `"${to}"`;
    };
    for (const t of templates) {
      if (bodies.length === count) break;
      bodies.push(t.text.replace(pattern, replace).replace(EVENT_TIME, (_, ts: string) => `"eventTime":"${shifted(ts, replica)}"`));
    }
  }
  return bodies;
}

/**
 * The bodies as a fleet's: each replica names its own jobs and datasets (`.r<replica>` added to the names
 * its template gave the job, its parent, the inputs, the outputs and their column lineage's input fields),
 * so that a run touches thousands of jobs and datasets with a few events each, as a fleet of scheduled
 * pipelines does, where the corpus replicated touches its 35 jobs again and again. Each job's and dataset's
 * read model is then built for every few events, not once a second for all of them.
 */
export function fleetBodies(bodies: string[], perReplica: number): string[] {
  return bodies.map((text, i) => {
    const suffix = `.r${Math.floor(i / perReplica)}`;
    const rename = (named: unknown) => {
      if (isRecord(named) && typeof named.name === 'string') named.name += suffix;
    };
    const event = JSON.parse(text) as Record<string, unknown>;
    rename(event.job);
    rename(path(event, 'run', 'facets', 'parent', 'job'));
    for (const dataset of [event.inputs, event.outputs].flatMap((list) => (Array.isArray(list) ? list : []))) {
      rename(dataset);
      const lineage = path(dataset, 'facets', 'columnLineage');
      const fields = isRecord(lineage) && isRecord(lineage.fields) ? Object.values(lineage.fields) : [];
      const datasetLevel = isRecord(lineage) && Array.isArray(lineage.dataset) ? lineage.dataset : [];
      for (const field of [...fields, ...datasetLevel]) {
        const inputs = path(field, 'inputFields');
        if (Array.isArray(inputs)) for (const input of inputs) rename(input);
      }
    }
    return JSON.stringify(event);
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const path = (value: unknown, ...keys: string[]): unknown => keys.reduce((v, k) => (isRecord(v) ? v[k] : undefined), value);

/** How many jobs these bodies name. */
function jobsNamed(bodies: string[]): number {
  const names = new Set<string>();
  for (const text of bodies) {
    const job = path(JSON.parse(text), 'job');
    if (isRecord(job)) names.add(`${job.namespace}\u0000${job.name}`);
  }
  return names.size;
}

/**
 * A new run id of the kind the producer sent: most real producers send UUID version 7 (time-ordered; 126 of
 * the corpus's 143 run ids), whose time, moved as the replica's event times are, keeps the order the
 * database's indexes see; any other id, a random one.
 */
function freshLike(id: string, replica: number): string {
  if (id[14] !== '7') return randomUUID();
  const millis = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return newRunId(millis + replica * 60_000);
}

const EVENT_TIME = /"eventTime"\s*:\s*"([^"]*)"/g;

/** A timestamp moved by `minutes`, written as it was (separator, fraction and zone kept); else as it is. */
function shifted(ts: string, minutes: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})/.exec(ts);
  if (!m) return ts;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[5]!, +m[6]! + minutes, +m[7]!));
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return `${date}${m[4]}${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${ts.slice(19)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Runs

interface Run {
  load: LoadResult;
  warmup: number;
}

/**
 * The bare insert's warm-up, in seconds at most: it runs in the bench's own process, whose few hot functions (and
 * PGlite's WebAssembly, in process) are compiled within its first seconds; a server's warm-up
 * (BENCH_WARMUP_SECONDS) is as long as its JIT takes to settle.
 */
const BASELINE_WARMUP_SECONDS = 5;
const baselineContext = (ctx: BenchContext): BenchContext => ({
  ...ctx,
  warmupSeconds: Math.min(ctx.warmupSeconds, BASELINE_WARMUP_SECONDS),
});

/** Warm-up, then the timed run: a fixed count (BENCH_EVENTS) or as many as `ctx.seconds` allow. */
async function warmThenTime(
  ctx: BenchContext,
  bodies: string[],
  concurrency: number,
  send: (body: string) => Promise<void>,
  cycle: boolean,
  /** Where the timed run posts when BENCH_CLIENT=wrk (the warm-up stays with `send`); unset: `send` times it. */
  url?: URL,
) {
  const warm = (
    await loadLoop({ concurrency, limit: Math.min(ctx.warmup, bodies.length), seconds: ctx.warmupSeconds, task: (i) => send(bodies[i]!) })
  ).count;
  // The server stores each body once: its timed run may not wrap around. The baseline table has no such
  // rule, so the baseline may cycle through the bodies if it outruns them.
  const available = bodies.length - warm;
  if (url && ctx.client === 'wrk') {
    return { load: await wrkLoopOver({ url, bodies: bodies.slice(warm), concurrency, seconds: ctx.seconds, cycle }), warmup: warm };
  }
  const limit = ctx.events ?? (cycle ? Number.MAX_SAFE_INTEGER : available);
  const load = await loadLoop({
    concurrency,
    limit,
    seconds: ctx.events === undefined ? ctx.seconds : undefined,
    task: (i) => send(bodies[warm + (i % available)]!),
  });
  return { load, warmup: warm };
}

interface IngestRun extends Run {
  /** Events accepted in the timed run ÷ the time from its start until the last of them was normalized. */
  sustained: { perSecond: number; drainMs: number };
  /** The server's CPU time (all its threads) per event of the timed run, accepted and normalized, in µs. */
  cpuPerEventUs: number | undefined;
  /** At the highest concurrency, open loop at 80% of `sustained`: the latencies of the events posted with `?wait=normalized` (LAG_EVERY). */
  lag?: LoadResult & { rate: number; posted: number; notNormalized: number; peakRssMb: number | undefined };
  peakRssMb: number | undefined;
  statuses: Record<string, number>;
  errorSamples: string[];
  serverStderrLines: number;
  serverStderrTail: string[];
}

/** Share of the sustained throughput the lag is measured at. */
const LAG_LOAD = 0.8;
/**
 * One event in this many is posted with ?wait=normalized during the lag run (BENCH_LAG_EVERY; 1: every
 * one), and times the lag of the events accepted with it: the normalizer takes events in order of arrival,
 * so the others of its batch wait as long. Had every event waited, the load would no longer be the one
 * whose lag is measured: each request holds its connection until normalized (over a thousand at once at
 * 80% of PostgreSQL's rate, beyond what the client opens: requests then queue in it), and every batch
 * builds its documents instead of marking them.
 */
const LAG_EVERY = Math.max(1, Math.floor(Number(process.env.BENCH_LAG_EVERY) || 8));

async function ingest(
  ctx: BenchContext,
  env: Record<string, string>,
  bodies: string[],
  concurrency: number,
  measureLag: boolean,
): Promise<IngestRun> {
  const server = await startServer(env);
  // The open loop of the lag run keeps as many requests in flight as the lag makes it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: measureLag ? 1024 : concurrency });
  try {
    const url = new URL('/api/v1/lineage', server.url);
    const waitUrl = new URL('/api/v1/lineage?wait=normalized', server.url);
    const statuses: Record<string, number> = {};
    const errorSamples: string[] = [];
    const send = async (body: string, to = url) => {
      let status: string;
      let detail = '';
      try {
        const answer = await postJson(agent, to, body);
        status = String(answer.status);
        detail = answer.body;
      } catch (error) {
        status = `network ${(error as { code?: string }).code ?? String(error)}`;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      const sample = `${status}: ${detail.slice(0, 500)}`;
      if (status !== '201' && errorSamples.length < 5 && !errorSamples.includes(sample)) errorSamples.push(sample);
      return detail;
    };
    // The server stores each body once: the runs take bodies in turn, never one twice.
    let next = 0;
    const take = () => bodies[next++]!;
    /**
     * One more event, waited for: the normalizer claims in order of arrival, so once it is normalized
     * everything accepted before it is too.
     */
    const settle = () => send(take(), waitUrl);

    const warm = (
      await loadLoop({
        concurrency,
        limit: Math.min(ctx.warmup, bodies.length - 2),
        seconds: ctx.warmupSeconds,
        task: () => send(take()).then(() => {}),
      })
    ).count;
    await settle();
    // Written before the clock starts (wrk reads them from a file).
    const forWrk = ctx.client === 'wrk' ? await wrkBodies(bodies.slice(next, bodies.length - 2)) : undefined;
    const cpuBefore = await cpuMs(server.pid);
    const started = performance.now();
    const load = forWrk
      ? await withCleanup(forWrk.remove, () => wrkLoop({ url, bodies: forWrk, concurrency, seconds: ctx.seconds, cycle: false }))
      : await loadLoop({
          concurrency,
          limit: ctx.events ?? bodies.length - next - 2,
          seconds: ctx.events === undefined ? ctx.seconds : undefined,
          task: () => send(take()).then(() => {}),
        });
    if (forWrk) {
      next += load.count;
      statuses['201'] = (statuses['201'] ?? 0) + load.count;
    }
    const accepted = performance.now();
    await settle();
    const normalized = performance.now();
    const cpuAfter = await cpuMs(server.pid);
    // wrk's clock starts once its script has read the bodies: the run is timed from its first request.
    const from = forWrk ? accepted - load.elapsedMs : started;
    const sustained = { perSecond: load.count / ((normalized - from) / 1000), drainMs: normalized - accepted };
    const cpuPerEventUs =
      cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / (load.count + 1);

    // Before the lag run, whose open loop holds many more requests in flight than `concurrency`.
    const peakRss = await peakRssMb(server.pid);
    let lag: IngestRun['lag'];
    if (measureLag) {
      // BENCH_LAG_RATE: one rate for every run (events/s), to compare two versions' lag at the same load.
      const rate = Number(process.env.BENCH_LAG_RATE) || LAG_LOAD * sustained.perSecond;
      let notNormalized = 0;
      let posted = 0;
      const result = await openLoop({
        rate,
        seconds: ctx.seconds,
        limit: bodies.length - next,
        task: async (i) => {
          posted++;
          if (i % LAG_EVERY !== 0) {
            await send(take());
            return false;
          }
          const answer = await send(take(), waitUrl);
          if (!answer.includes('"normalization":"normalized"')) notNormalized++;
          return true;
        },
      });
      lag = { ...result, rate, posted, notNormalized, peakRssMb: await peakRssMb(server.pid) };
    }
    return {
      load,
      warmup: warm,
      sustained,
      cpuPerEventUs,
      ...(lag && { lag }),
      peakRssMb: peakRss,
      statuses,
      errorSamples,
      serverStderrLines: server.stderrLines(),
      serverStderrTail: server.stderrTail().slice(-10),
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/**
 * The bodies posted to `server` as to the collector, warm-up then timed (a run besides the collector's own:
 * the HTTP floor, acceptance alone); any answer but 201 fails the run. `cycle`: as warmThenTime's.
 */
async function postedTo(ctx: BenchContext, server: ServerChild, bodies: string[], concurrency: number, cycle: boolean): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const url = new URL('/api/v1/lineage', server.url);
    const send = async (body: string) => {
      const answer = await postJson(agent, url, body);
      if (answer.status !== 201) throw new Error(`${server.url} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    };
    return await warmThenTime(ctx, bodies, concurrency, send, cycle, url);
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/**
 * The same bodies over HTTP into the least a collector on this stack does (bench/http-floor.ts: Hono, JSON.parse,
 * a group-committed insert of the text, 201), in a child process run with the server's flags: what HTTP costs
 * here before anything the collector adds. Its table keeps every body: the bodies may cycle.
 */
const floor = async (ctx: BenchContext, env: Record<string, string>, bodies: string[], concurrency: number) =>
  postedTo(ctx, await startServer(env, ['--import', 'tsx', 'bench/http-floor.ts']), bodies, concurrency, true);

/**
 * The server accepting alone (PEDIGREE_NORMALIZE=off: another instance would normalize): what acceptance
 * costs without normalization on the same cores. PostgreSQL only (PGlite has no other instance).
 */
const acceptedAlone = async (ctx: BenchContext, url: string, bodies: string[], concurrency: number) =>
  postedTo(ctx, await startServer({ DATABASE_URL: url, PEDIGREE_NORMALIZE: 'off' }), bodies, concurrency, false);

const INSERT = 'insert into bench_baseline (body) values ($1::text::jsonb)';
const CREATE = 'create table bench_baseline (id bigserial primary key, body jsonb not null)';

async function baselinePglite(ctx: BenchContext, dir: string, bodies: string[], concurrency: number): Promise<Run> {
  const pg = new PGlite(dir);
  try {
    await pg.waitReady;
    await pg.exec(CREATE);
    // PGlite runs one query at a time; the loops still queue as the server's requests would.
    const insert = async (body: string) => void (await pg.query(INSERT, [body]));
    return await warmThenTime(baselineContext(ctx), bodies, concurrency, insert, true);
  } finally {
    await pg.close();
  }
}

async function baselinePostgres(ctx: BenchContext, url: string, bodies: string[], concurrency: number): Promise<Run> {
  const sql = postgres(url, { max: concurrency, prepare: true, onnotice: () => {} });
  try {
    await sql.unsafe(CREATE);
    const insert = async (body: string) => void (await sql.unsafe(INSERT, [body], { prepare: true }));
    return await warmThenTime(baselineContext(ctx), bodies, concurrency, insert, true);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Where a run writes: a fresh PGlite directory, a fresh PostgreSQL database, or (`grown`) a copy of the
 * database BENCH_INGEST_GROWN_TEMPLATE names, a store already loaded (the lineage section's 1M-edge graph):
 * how the cost grows with what is stored; or (`fleet`) a fresh PostgreSQL database given the fleet's bodies
 * (fleetBodies): how it grows with how many jobs and datasets the events name.
 */
type Store = 'pglite' | 'postgres' | 'grown' | 'fleet';

/** Each run gets its own database, so one run's data, WAL or bloat does not weigh on the next. */
async function measure(ctx: BenchContext, store: Store, concurrency: number, bodies: string[], measureLag: boolean) {
  const database = store === 'pglite' ? 'pglite' : 'postgres';
  const withDatabase = async <R>(use: (target: string) => Promise<R>, template?: string): Promise<R> => {
    if (database === 'pglite') {
      const dir = await tempDir('pedigree-bench-');
      return withCleanup(dir.remove, () => use(join(dir.path, 'data')));
    }
    const db = await scratchPostgres(ctx.databaseUrl!, template);
    return withCleanup(db.drop, () => use(db.url));
  };
  const ingestRun = await withDatabase(
    (target) =>
      ingest(ctx, database === 'pglite' ? { PEDIGREE_DATA_DIR: target } : { DATABASE_URL: target }, bodies, concurrency, measureLag),
    store === 'grown' ? GROWN_TEMPLATE : undefined,
  );
  // The baseline's table is new either way: a bare insert does not grow with what else is stored.
  const baseline = await withDatabase((target) =>
    database === 'pglite' ? baselinePglite(ctx, target, bodies, concurrency) : baselinePostgres(ctx, target, bodies, concurrency),
  );
  // Nor does the floor's: it is measured on the fresh stores of the corpus only.
  const httpFloor =
    store === 'grown' || store === 'fleet'
      ? undefined
      : await withDatabase((target) =>
          floor(ctx, database === 'pglite' ? { FLOOR_PGLITE_DIR: target } : { FLOOR_DATABASE_URL: target }, bodies, concurrency),
        );
  const alone = store === 'postgres' ? await withDatabase((target) => acceptedAlone(ctx, target, bodies, concurrency)) : undefined;
  const label = {
    grown: `postgres (${GROWN_TEMPLATE})`,
    fleet: `postgres, fleet of ${jobsNamed(bodies.slice(0, ingestRun.warmup + ingestRun.load.count + 2))} jobs`,
    pglite: database,
    postgres: database,
  };
  return {
    database: label[store],
    concurrency,
    ingest: ingestRun,
    baseline,
    floor: httpFloor,
    alone,
    ratio: ingestRun.load.perSecond / baseline.load.perSecond,
  };
}

const GROWN_TEMPLATE = process.env.BENCH_INGEST_GROWN_TEMPLATE || undefined;

// ---------------------------------------------------------------------------------------------------------

export const ingestSection: Section = {
  name: 'ingest',
  async run(ctx): Promise<SectionResult> {
    const corpus = loadCorpus();
    if (corpus.templates.length === 0) throw new Error('no accepted RunEvents in the corpus');
    const poolSize = ctx.warmup + (ctx.events ?? DEFAULT_POOL);
    const bodies = buildBodies(corpus.templates, poolSize);
    // A replica must be as acceptable as its template: check one full replica before timing anything.
    const notAccepted = bodies.slice(0, corpus.templates.length).filter((b) => !prepareEvent(b, { strict: false }).ok);
    if (notAccepted.length) throw new Error(`${notAccepted.length} replicated bodies are not accepted`);
    const averageBytes = bodies.slice(0, corpus.templates.length).reduce((n, b) => n + Buffer.byteLength(b), 0) / corpus.templates.length;
    ctx.log(
      `ingest: ${corpus.templates.length} templates from ${corpus.files} corpus files, ${bodies.length} bodies of ~${Math.round(averageBytes)} bytes`,
    );

    const results: Awaited<ReturnType<typeof measure>>[] = [];
    const postgresToo = ctx.databases.includes('postgres');
    const stores: Store[] = [
      ...ctx.databases,
      ...(GROWN_TEMPLATE && postgresToo ? (['grown'] as const) : []),
      ...(postgresToo ? (['fleet'] as const) : []),
    ];
    const highest = Math.max(...ctx.concurrencies);
    for (const store of stores) {
      // The fleet at the highest concurrency only: its normalized throughput and lag against the corpus's.
      for (const concurrency of store === 'fleet' ? [highest] : ctx.concurrencies) {
        ctx.log(`ingest: ${store === 'grown' ? `a copy of ${GROWN_TEMPLATE}` : store}, concurrency ${concurrency}`);
        const posted = store === 'fleet' ? fleetBodies(bodies, corpus.templates.length) : bodies;
        const r = await measure(ctx, store, concurrency, posted, concurrency === highest);
        ctx.log(
          `  accepted ${fixed(r.ingest.load.perSecond)} ev/s (${r.ingest.load.count} in ${fixed(r.ingest.load.elapsedMs / 1000, 1)} s), ` +
            `normalized ${fixed(r.ingest.sustained.perSecond)} ev/s (drained ${fixed(r.ingest.sustained.drainMs / 1000, 1)} s after), ` +
            `baseline ${fixed(r.baseline.load.perSecond)} ev/s (${r.baseline.load.count} in ${fixed(r.baseline.load.elapsedMs / 1000, 1)} s)` +
            (r.floor ? `, HTTP floor ${fixed(r.floor.load.perSecond)} ev/s` : '') +
            (r.alone ? `, accepted alone ${fixed(r.alone.load.perSecond)} ev/s` : '') +
            (r.ingest.lag
              ? `; lag at ${fixed(r.ingest.lag.rate)} ev/s: p50 ${fixed(r.ingest.lag.p50Ms)} ms, p99 ${fixed(r.ingest.lag.p99Ms)} ms`
              : ''),
        );
        results.push(r);
      }
    }

    const failures: string[] = [];
    const notes: string[] = [];
    for (const r of results) {
      const bad = Object.entries(r.ingest.statuses).filter(([s]) => s !== '201');
      if (bad.length) {
        failures.push(
          `${r.database} c=${r.concurrency}: non-201 answers ${JSON.stringify(Object.fromEntries(bad))}; e.g.\n    ${r.ingest.errorSamples.join('\n    ')}`,
        );
      }
      if (r.ingest.lag?.notNormalized)
        failures.push(`${r.database} c=${r.concurrency}: ${r.ingest.lag.notNormalized} waited events not normalized`);
      if (r.ingest.serverStderrLines > 0) {
        notes.push(
          `${r.database} c=${r.concurrency}: the server wrote ${r.ingest.serverStderrLines} lines to stderr, last:\n    ${r.ingest.serverStderrTail.join('\n    ')}`,
        );
      }
      if (r.ingest.lag && r.ingest.lag.posted < Math.floor(r.ingest.lag.rate * ctx.seconds)) {
        notes.push(`${r.database} c=${r.concurrency}: the lag run ran out of bodies after ${r.ingest.lag.posted} events`);
      }
      if (!ctx.events && r.ingest.load.elapsedMs < ctx.seconds * 1000 * 0.9) {
        notes.push(
          `${r.database} c=${r.concurrency}: the ${bodies.length - ctx.warmup} bodies ran out after ${fixed(r.ingest.load.elapsedMs / 1000, 1)} s`,
        );
      }
    }
    if (!ctx.databaseUrl)
      notes.push('DATABASE_URL is not set: PGlite only. Set it to a Postgres server the bench may create databases on.');
    const pg32 = results.find((r) => r.database === 'postgres' && r.concurrency === 32);
    // The memory target is the embedded default's (one small process); a PostgreSQL server's is its own.
    const embedded = results.filter((r) => r.database === 'pglite');
    const maxRss = Math.max(0, ...embedded.map((r) => r.ingest.peakRssMb ?? 0));
    const maxLagRss = Math.max(0, ...embedded.map((r) => r.ingest.lag?.peakRssMb ?? 0));
    const floorOf = (r: (typeof results)[number] | undefined) =>
      r?.floor ? `; the HTTP floor reached ${fixed(r.floor.load.perSecond / r.baseline.load.perSecond, 2)}× of it` : '';
    notes.push(
      `target: accepted ÷ baseline ≥ 1.0× on Postgres at concurrency 32 (${pg32 ? `${fixed(pg32.ratio, 2)}×${floorOf(pg32)}` : 'not measured'}), PGlite's peak RSS < 300 MB (${embedded.length ? `max ${fixed(maxRss)} MB; ${fixed(maxLagRss)} MB once the lag run is over` : 'not measured'})`,
      'HTTP floor: the same bodies over HTTP into the least a collector on this stack does (bench/http-floor.ts: Hono, JSON.parse, ' +
        "a group-committed insert of the text, 201), with the server's node flags; ÷ floor: accepted ÷ that, what the collector's own work leaves of it",
      'alone: the same server with PEDIGREE_NORMALIZE=off (it only accepts; another instance would normalize), PostgreSQL only: acceptance without normalization on the same cores',
      'accepted: POST without waiting, answered once stored (normalization runs meanwhile in the same server); normalized: the ' +
        "timed run's events ÷ the time from its start until the last was normalized (drain: how long that took after the last " +
        `answer); lag: at the highest concurrency, open loop at ${LAG_LOAD * 100}% of normalized ev/s, one event in ${LAG_EVERY} posted with ?wait=normalized, ` +
        "latency from when it was due until it was normalized; server CPU: the server process's CPU time (every thread) from the start of the timed run until its last event was normalized, per event (what an event costs whatever else shares the machine)",
    );

    return {
      title: 'Ingest: POST /api/v1/lineage vs bare single-row JSONB insert',
      columns: [
        'database',
        'concurrency',
        'accepted ev/s',
        'p50 ms',
        'p99 ms',
        'baseline ev/s',
        'base p50 ms',
        'base p99 ms',
        'ratio',
        'HTTP floor ev/s',
        '÷ floor',
        'alone ev/s',
        'alone ÷ floor',
        'normalized ev/s',
        'drain s',
        'server CPU µs/ev',
        'lag p50 ms',
        'lag p99 ms',
        'peak RSS MB',
        'with lag MB',
      ],
      rows: results.map((r) => [
        r.database,
        String(r.concurrency),
        fixed(r.ingest.load.perSecond),
        fixed(r.ingest.load.p50Ms, 1),
        fixed(r.ingest.load.p99Ms, 1),
        fixed(r.baseline.load.perSecond),
        fixed(r.baseline.load.p50Ms, 1),
        fixed(r.baseline.load.p99Ms, 1),
        `${fixed(r.ratio, 2)}×`,
        fixed(r.floor?.load.perSecond),
        r.floor ? `${fixed(r.ingest.load.perSecond / r.floor.load.perSecond, 2)}×` : '—',
        fixed(r.alone?.load.perSecond),
        r.alone && r.floor ? `${fixed(r.alone.load.perSecond / r.floor.load.perSecond, 2)}×` : '—',
        fixed(r.ingest.sustained.perSecond),
        fixed(r.ingest.sustained.drainMs / 1000, 1),
        fixed(r.ingest.cpuPerEventUs),
        fixed(r.ingest.lag?.p50Ms),
        fixed(r.ingest.lag?.p99Ms),
        fixed(r.ingest.peakRssMb),
        fixed(r.ingest.lag?.peakRssMb),
      ]),
      notes,
      failures,
      json: {
        corpus: {
          files: corpus.files,
          templates: corpus.templates.map((t) => t.file),
          rejected: corpus.rejected,
          withoutRunId: corpus.withoutRunId,
          bodies: bodies.length,
          averageBodyBytes: Math.round(averageBytes),
        },
        results,
      },
    };
  },
};
