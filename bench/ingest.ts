/**
 * Ingest: real corpus events over HTTP into a server child process, against a bare single-row JSONB insert
 * of the same bodies into the same kind of database at the same concurrency (the baseline).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { prepareEvent } from '../src/ingest/ingest';
import { corpusFiles, corpusText } from '../test/support/events';
import {
  type BenchContext,
  fixed,
  type LoadResult,
  loadLoop,
  peakRssMb,
  postJson,
  type Section,
  type SectionResult,
  scratchPostgres,
  startServer,
  tempDir,
  withCleanup,
} from './lib';

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

function loadCorpus(): Corpus {
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
 * `count` bodies: the templates over and over, each replica with fresh runIds. The ids are replaced in the
 * text (so the rest of each body stays byte for byte as the producer sent it), through one map per replica:
 * a parent run and its children get the same new id, so hierarchies stay coherent.
 */
function buildBodies(templates: Corpus['templates'], count: number): string[] {
  const all = [...new Set(templates.flatMap((t) => t.runIds.map((id) => id.toLowerCase())))];
  const pattern = new RegExp(`"(${all.join('|')})"`, 'gi');
  const bodies: string[] = [];
  while (bodies.length < count) {
    const fresh = new Map<string, string>();
    const replace = (_: string, id: string) => {
      const key = id.toLowerCase();
      let to = fresh.get(key);
      if (!to) {
        to = randomUUID();
        fresh.set(key, to);
      }
      return `"${to}"`;
    };
    for (const t of templates) {
      if (bodies.length === count) break;
      bodies.push(t.text.replace(pattern, replace));
    }
  }
  return bodies;
}

// ---------------------------------------------------------------------------------------------------------
// Runs

interface Run {
  load: LoadResult;
  warmup: number;
}

/** Warm-up, then the timed run: a fixed count (BENCH_EVENTS) or as many as `ctx.seconds` allow. */
async function warmThenTime(
  ctx: BenchContext,
  bodies: string[],
  concurrency: number,
  send: (body: string) => Promise<void>,
  cycle: boolean,
) {
  const warm = Math.min(ctx.warmup, bodies.length);
  await loadLoop({ concurrency, limit: warm, task: (i) => send(bodies[i]!) });
  // The server stores each body once: its timed run may not wrap around. The baseline table has no such
  // rule, so the baseline may cycle through the bodies if it outruns them.
  const available = bodies.length - warm;
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
  peakRssMb: number | undefined;
  statuses: Record<string, number>;
  errorSamples: string[];
  serverStderrLines: number;
  serverStderrTail: string[];
}

async function ingest(ctx: BenchContext, env: Record<string, string>, bodies: string[], concurrency: number): Promise<IngestRun> {
  const server = await startServer(env);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const url = new URL('/api/v1/lineage', server.url);
    const statuses: Record<string, number> = {};
    const errorSamples: string[] = [];
    const send = async (body: string) => {
      let status: string;
      let detail = '';
      try {
        const answer = await postJson(agent, url, body);
        status = String(answer.status);
        detail = answer.body;
      } catch (error) {
        status = `network ${(error as { code?: string }).code ?? String(error)}`;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      const sample = `${status}: ${detail.slice(0, 500)}`;
      if (status !== '201' && errorSamples.length < 5 && !errorSamples.includes(sample)) errorSamples.push(sample);
    };
    const run = await warmThenTime(ctx, bodies, concurrency, send, false);
    return {
      ...run,
      peakRssMb: await peakRssMb(server.pid),
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

const INSERT = 'insert into bench_baseline (body) values ($1::text::jsonb)';
const CREATE = 'create table bench_baseline (id bigserial primary key, body jsonb not null)';

async function baselinePglite(ctx: BenchContext, dir: string, bodies: string[], concurrency: number): Promise<Run> {
  const pg = new PGlite(dir);
  try {
    await pg.waitReady;
    await pg.exec(CREATE);
    // PGlite runs one query at a time; the loops still queue as the server's requests would.
    return await warmThenTime(ctx, bodies, concurrency, async (body) => void (await pg.query(INSERT, [body])), true);
  } finally {
    await pg.close();
  }
}

async function baselinePostgres(ctx: BenchContext, url: string, bodies: string[], concurrency: number): Promise<Run> {
  const sql = postgres(url, { max: concurrency, prepare: true, onnotice: () => {} });
  try {
    await sql.unsafe(CREATE);
    return await warmThenTime(ctx, bodies, concurrency, async (body) => void (await sql.unsafe(INSERT, [body], { prepare: true })), true);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Each run gets its own fresh database, so one run's data, WAL or bloat does not weigh on the next. */
async function measure(ctx: BenchContext, database: 'pglite' | 'postgres', concurrency: number, bodies: string[]) {
  const withDatabase = async <R>(use: (target: string) => Promise<R>): Promise<R> => {
    if (database === 'pglite') {
      const dir = await tempDir('pedigree-bench-');
      return withCleanup(dir.remove, () => use(join(dir.path, 'data')));
    }
    const db = await scratchPostgres(ctx.databaseUrl!);
    return withCleanup(db.drop, () => use(db.url));
  };
  const ingestRun = await withDatabase((target) =>
    ingest(ctx, database === 'pglite' ? { PEDIGREE_DATA_DIR: target } : { DATABASE_URL: target }, bodies, concurrency),
  );
  const baseline = await withDatabase((target) =>
    database === 'pglite' ? baselinePglite(ctx, target, bodies, concurrency) : baselinePostgres(ctx, target, bodies, concurrency),
  );
  return { database, concurrency, ingest: ingestRun, baseline, ratio: ingestRun.load.perSecond / baseline.load.perSecond };
}

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
    for (const database of ctx.databases) {
      for (const concurrency of ctx.concurrencies) {
        ctx.log(`ingest: ${database}, concurrency ${concurrency}`);
        const r = await measure(ctx, database, concurrency, bodies);
        ctx.log(
          `  ingest ${fixed(r.ingest.load.perSecond)} ev/s (${r.ingest.load.count} in ${fixed(r.ingest.load.elapsedMs / 1000, 1)} s), ` +
            `baseline ${fixed(r.baseline.load.perSecond)} ev/s (${r.baseline.load.count} in ${fixed(r.baseline.load.elapsedMs / 1000, 1)} s)`,
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
      if (r.ingest.serverStderrLines > 0) {
        notes.push(
          `${r.database} c=${r.concurrency}: the server wrote ${r.ingest.serverStderrLines} lines to stderr, last:\n    ${r.ingest.serverStderrTail.join('\n    ')}`,
        );
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
    const maxRss = Math.max(...results.map((r) => r.ingest.peakRssMb ?? 0));
    notes.push(
      `target: ingest ÷ baseline ≥ 1.0× on Postgres at concurrency 32 (${pg32 ? `${fixed(pg32.ratio, 2)}×` : 'not measured'}), peak RSS < 300 MB (max ${fixed(maxRss)} MB)`,
    );

    return {
      title: 'Ingest: POST /api/v1/lineage vs bare single-row JSONB insert',
      columns: [
        'database',
        'concurrency',
        'ingest ev/s',
        'p50 ms',
        'p99 ms',
        'peak RSS MB',
        'baseline ev/s',
        'base p50 ms',
        'base p99 ms',
        'ratio',
      ],
      rows: results.map((r) => [
        r.database,
        String(r.concurrency),
        fixed(r.ingest.load.perSecond),
        fixed(r.ingest.load.p50Ms, 1),
        fixed(r.ingest.load.p99Ms, 1),
        fixed(r.ingest.peakRssMb),
        fixed(r.baseline.load.perSecond),
        fixed(r.baseline.load.p50Ms, 1),
        fixed(r.baseline.load.p99Ms, 1),
        `${fixed(r.ratio, 2)}×`,
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
