/**
 * Lineage section: a synthetic graph (bench/synthetic-graph.ts: BENCH_LINEAGE_JOBS jobs, default 100k, about
 * 10 job-dataset edges each, so 1M edges) stored through the collector's own ingest code into a scratch
 * Postgres, then the read API timed over HTTP against a baseline measured in the same run: the bare
 * recursive CTE for the same node and depth (edge ids only: no node data, no symlinks), sent directly with
 * postgres.js. A smaller graph (BENCH_LINEAGE_PGLITE_JOBS, default 10k) goes into PGlite, timed in process
 * through app.request() against the bare CTE on the same PGlite.
 *
 * BENCH_LINEAGE_DATABASE_URL reuses a database this section loaded before (it is not dropped), so the
 * five-minute load is not paid on every run.
 */
import http from 'node:http';
import { sql as drizzleSql } from 'drizzle-orm';
import postgres from 'postgres';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { type Db, rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { ids } from '../src/ids';
import { ingestPipeline } from '../src/ingest/pipeline';
import { buildMissingDocuments } from '../src/read/documents';
import {
  type BenchContext,
  fixed,
  getJson,
  lineageSamples,
  type Section,
  type SectionResult,
  scratchPostgres,
  startServer,
  timed,
  timedPair,
  withCleanup,
} from './lib';
import { datasetName, loadSyntheticGraph, NS, PIPELINE_JOBS, rng } from './synthetic-graph';

/** Migrates `db` and stores the graph unless it is there already; answers the number of pipelines. */
export async function prepareGraph(db: Db, jobs: number, log: (m: string) => void) {
  await migrate(db, await readMigrations());
  const [present] = await rows<{ n: number }>(db.orm, drizzleSql`select count(*)::int as n from jobs where namespace = ${NS}`);
  if (present!.n >= jobs) log(`lineage: reusing the ${present!.n} jobs already loaded`);
  else {
    if (present!.n > 0) throw new Error(`the lineage database holds ${present!.n} bench jobs, not ${jobs}: use a fresh one`);
    const loaded = await loadSyntheticGraph(db, jobs, log);
    log(`lineage: stored ${jobs} jobs, ${loaded.edges} edges in ${fixed(loaded.seconds)} s`);
  }
  // A graph loaded before the read models existed gets its documents as a server starting on it would.
  const built = await buildMissingDocuments(db);
  if (built) log(`lineage: built the documents of ${built} jobs and datasets`);
  const [edges] = await rows<{ n: number }>(db.orm, drizzleSql`select count(*)::int as n from job_io`);
  return { pipelines: Math.ceil(jobs / PIPELINE_JOBS), edges: edges!.n };
}

/**
 * The bare recursive CTE: jobs reachable both ways from a dataset by job hops over the edges the graph
 * shows (job_io.current), then their edges; ids only. Bounded walks keep (job, depth) rows; an unbounded
 * one keeps only the job (else cycles never end). $1 = dataset id, $2 = depth (null: unbounded).
 */
function bareLineage(bounded: boolean) {
  const d = bounded ? ', depth' : '';
  const first = bounded ? ', 0' : '';
  const next = (alias: string) => (bounded ? `, ${alias}.depth + 1` : '');
  const bound = (alias: string) => (bounded ? `where ${alias}.depth < $2::int` : 'where $2::int is null');
  return `with recursive
    down(job_id${d}) as (
      select job_id${first} from job_io where dataset_id = $1::uuid and direction = 'in' and current
      union
      select r.job_id${next('w')} from down w join job_io o on o.job_id = w.job_id and o.direction = 'out' and o.current
      join job_io r on r.dataset_id = o.dataset_id and r.direction = 'in' and r.current ${bound('w')}),
    up(job_id${d}) as (
      select job_id${first} from job_io where dataset_id = $1::uuid and direction = 'out' and current
      union
      select x.job_id${next('u')} from up u join job_io i on i.job_id = u.job_id and i.direction = 'in' and i.current
      join job_io x on x.dataset_id = i.dataset_id and x.direction = 'out' and x.current ${bound('u')})
    select e.job_id, e.dataset_id, e.direction from job_io e
    where e.job_id = any(array(select job_id from down union select job_id from up)) and e.current`;
}

/** Column lineage upstream of a dataset's fields; $1 = dataset id, $2 = depth. */
const BARE_COLUMNS = `with recursive up(ds, f, depth) as (
      select output_dataset_id, output_field, 0 from column_lineage where output_dataset_id = $1::uuid
      union
      select cl.input_dataset_id, cl.input_field, u.depth + 1 from up u
      join column_lineage cl on cl.output_dataset_id = u.ds and cl.output_field = u.f where u.depth < $2::int)
    select * from up`;

/** One database under test: how to ask the API and how to run the bare query. */
interface Target {
  database: 'postgres' | 'pglite';
  pipelines: number;
  /** GET on the read API; answers the HTTP status. */
  get(path: string): Promise<number>;
  bare(text: string, params: unknown[]): Promise<unknown>;
}

interface Measured {
  database: string;
  name: string;
  api: { p50: number; p99: number };
  bare?: { p50: number; p99: number };
  ratio?: number;
}

/** Requests (and bare queries) of each query before its timed samples, not timed. */
const LINEAGE_WARMUP = 20;

/** A timed request's start node (its place `i` among the samples also picks the listings' offset). */
interface Start {
  i: number;
  node: string;
  datasetId: string;
}

/** Times every query of the section on one target; `samples` start nodes, the same ones for API and bare. */
async function measureTarget(t: Target, samples: number, failures: string[], log: (m: string) => void): Promise<Measured[]> {
  // Start from a dataset in the middle of a pipeline: both directions have long chains.
  const draw = (seed: number, count: number): Start[] => {
    const random = rng(seed);
    return Array.from({ length: count }, (_, i) => {
      const name = datasetName(Math.floor(random() * t.pipelines), 80 + Math.floor(random() * 40));
      return { i, node: `dataset:${NS}:${name}`, datasetId: ids.dataset(NS, name) };
    });
  };
  const timedStarts = draw(7, samples);
  // Drawn apart from the timed starts, whose pages stay cold until their timed samples.
  const warmStarts = draw(11, LINEAGE_WARMUP);
  const out: Measured[] = [];
  const api = async (path: string) => {
    const status = await t.get(path);
    if (status !== 200) failures.push(`${t.database}: ${path} answered ${status}`);
  };
  const measure = async (name: string, path: (s: Start) => string, bare?: (s: Start) => Promise<unknown>) => {
    // A warm server, as the ingest section measures: a path's first requests run before V8 has compiled it
    // (on a fresh server the first three depth-2 answers took 30-50 ms, the next ones 10-20).
    for (const s of warmStarts) {
      await api(path(s));
      if (bare) await bare(s);
    }
    // The API and the bare query on each start in turn, alternating which goes first: a start's pages are
    // cold for the first (BENCH_LINEAGE_SEQUENTIAL: all the API's samples, then all the bare's, as before).
    const sequential = process.env.BENCH_LINEAGE_SEQUENTIAL === '1';
    const apiAt = (i: number) => api(path(timedStarts[i]!));
    const bareAt = bare && ((i: number) => bare(timedStarts[i]!));
    const pair = bareAt && !sequential ? await timedPair(samples, apiAt, bareAt) : undefined;
    const a = pair?.a ?? (await timed(samples, apiAt));
    const b = pair?.b ?? (bareAt ? await timed(samples, bareAt) : undefined);
    const m: Measured = { database: t.database, name, api: a, ...(b && { bare: b, ratio: a.p99 / b.p99 }) };
    out.push(m);
    log(`lineage/${t.database}: ${name} api p99 ${fixed(a.p99, 1)} ms, bare p99 ${fixed(b?.p99, 1)} ms`);
  };
  for (const depth of [2, 10, null] as const) {
    await measure(
      `lineage depth ${depth ?? 'all'}`,
      (s) => `/api/v1/lineage?nodeId=${encodeURIComponent(s.node)}&depth=${depth ?? 'all'}`,
      (s) => t.bare(bareLineage(depth !== null), [s.datasetId, depth]),
    );
  }
  await measure(
    'column-lineage depth 10',
    (s) => `/api/v1/column-lineage?nodeId=${encodeURIComponent(s.node)}&depth=10`,
    (s) => t.bare(BARE_COLUMNS, [s.datasetId, 10]),
  );
  // Listings and search: the pages the web UI opens first, at several offsets into the listing.
  const offset = (s: Start) => (s.i % 5) * 1000;
  // The web UI's page sizes: 20 on the jobs and datasets pages, 10 on the dashboard; 100 is the API default.
  await measure('jobs list (namespace, 20)', (s) => `/api/v1/namespaces/${NS}/jobs?limit=20&offset=${offset(s)}`);
  await measure('jobs list (namespace, 100)', (s) => `/api/v1/namespaces/${NS}/jobs?limit=100&offset=${offset(s)}`);
  await measure('jobs list (all, dashboard 10)', () => '/api/v1/jobs?limit=10&offset=0');
  await measure('datasets list (namespace, 20)', (s) => `/api/v1/namespaces/${NS}/datasets?limit=20&offset=${offset(s)}`);
  await measure('datasets list (namespace, 100)', (s) => `/api/v1/namespaces/${NS}/datasets?limit=100&offset=${offset(s)}`);
  await measure('search (q=job_42, 100)', () => '/api/v1/search?q=job_42&sort=UPDATE_AT&limit=100');
  await measure('search (q=table_1, 100, by name)', () => '/api/v1/search?q=table_1&sort=NAME&limit=100');
  return out;
}

async function postgresTarget(ctx: BenchContext, jobs: number, samples: number, failures: string[]): Promise<Measured[]> {
  const reuse = process.env.BENCH_LINEAGE_DATABASE_URL;
  const scratch = reuse ? { url: reuse, drop: async () => {} } : await scratchPostgres(ctx.databaseUrl!);
  return withCleanup(scratch.drop, async () => {
    const db = openPostgres(scratch.url, { max: 2 });
    const loaded = await withCleanup(
      () => db.close(),
      () => prepareGraph(db, jobs, ctx.log),
    );
    const sql = postgres(scratch.url, { max: 1, onnotice: () => {}, connection: { jit: 'off' } as never });
    // A store that has been running is vacuumed and analyzed by autovacuum; a fresh load is not yet.
    await sql`vacuum analyze`;
    const server = await startServer({ DATABASE_URL: scratch.url });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    ctx.log(`lineage/postgres: ${jobs} jobs, ${loaded.edges} edges`);
    return withCleanup(
      async () => {
        agent.destroy();
        await sql.end();
        await server.stop();
      },
      () =>
        measureTarget(
          {
            database: 'postgres',
            pipelines: loaded.pipelines,
            get: async (path) => (await getJson(agent, new URL(path, server.url))).status,
            bare: (text, params) => sql.unsafe(text, params as never[]),
          },
          samples,
          failures,
          ctx.log,
        ),
    );
  });
}

async function pgliteTarget(ctx: BenchContext, jobs: number, samples: number, failures: string[]): Promise<Measured[]> {
  const db = await openPglite();
  return withCleanup(
    () => db.close(),
    async () => {
      const loaded = await prepareGraph(db, jobs, ctx.log);
      // A store that has been running is vacuumed and analyzed by its normalizer's upkeep (src/db/vacuum.ts:
      // PGlite has no autovacuum); a fresh load is not yet.
      await db.orm.execute(drizzleSql`vacuum analyze`);
      const config = loadConfig({});
      const app = createApp({ db, ...ingestPipeline(db), config });
      ctx.log(`lineage/pglite: ${jobs} jobs, ${loaded.edges} edges`);
      return measureTarget(
        {
          database: 'pglite',
          pipelines: loaded.pipelines,
          get: async (path) => {
            const res = await app.request(path);
            await res.arrayBuffer();
            return res.status;
          },
          // The values (a uuid, an integer or null) go inline: one plain statement, as the API's is.
          bare: (text, params) => rows(db.orm, drizzleSql.raw(text.replace(/\$(\d)/g, (_, n) => literal(params[Number(n) - 1])))),
        },
        samples,
        failures,
        ctx.log,
      );
    },
  );
}

const literal = (v: unknown) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

export const lineageSection: Section = {
  name: 'lineage',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const failures: string[] = [];
    const samples = lineageSamples();
    const jobs = Number(process.env.BENCH_LINEAGE_JOBS ?? 100_000);
    const pgliteJobs = Number(process.env.BENCH_LINEAGE_PGLITE_JOBS ?? 10_000);
    const measured: Measured[] = [];
    if (ctx.databases.includes('postgres') && ctx.databaseUrl) measured.push(...(await postgresTarget(ctx, jobs, samples, failures)));
    if (ctx.databases.includes('pglite')) measured.push(...(await pgliteTarget(ctx, pgliteJobs, samples, failures)));
    const size = (d: string) => (d === 'postgres' ? jobs : pgliteJobs);
    return {
      title: `Lineage and listing queries over a synthetic graph, one client, ms (${samples} samples each)`,
      columns: ['database', 'jobs', 'query', 'api p50', 'api p99', 'bare p50', 'bare p99', 'p99 ratio'],
      rows: measured.map((m) => [
        m.database,
        String(size(m.database)),
        m.name,
        fixed(m.api.p50, 1),
        fixed(m.api.p99, 1),
        fixed(m.bare?.p50, 1),
        fixed(m.bare?.p99, 1),
        m.ratio ? `${m.ratio.toFixed(2)}×` : '—',
      ]),
      notes: [
        'bare = the recursive CTE alone on the same database (ids only, no node data); ratio = api p99 / bare p99',
        'postgres: API over HTTP to a server child process; pglite: in process through app.request()',
      ],
      failures,
      json: measured,
    };
  },
};
