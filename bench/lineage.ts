/**
 * Lineage section: a synthetic graph of BENCH_LINEAGE_JOBS jobs (default 100k, 10 edges each: 1M
 * job-dataset edges) is bulk-loaded into a scratch Postgres, then the read API is timed over HTTP against
 * a baseline measured in the same run: the bare recursive CTE for the same node and depth (no versions, no
 * symlinks, no node data), sent directly with postgres.js.
 *
 * Shape: pipelines of 100 jobs and 200 datasets. Job i writes datasets 2i and 2i+1 and reads 8 datasets
 * written by the 20 jobs before it (fan-in 8, fan-out about 8, chains up to 100 jobs long); one job in 20
 * also reads its own output (a cycle). Each job's first output has two columns, each derived from the same
 * column of two of its inputs. Rows are built with the collector's own id functions, so node ids resolve.
 */
import http from 'node:http';
import postgres from 'postgres';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPostgres } from '../src/db/postgres';
import { ids } from '../src/ids';
import { type BenchContext, fixed, percentile, type Section, type SectionResult, scratchPostgres, startServer, withCleanup } from './lib';

const PIPELINE_JOBS = 100;
const NS = 'bench';

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const datasetName = (p: number, d: number) => `pipeline_${p}.table_${d}`;
const jobName = (p: number, j: number) => `pipeline_${p}.job_${j}`;

export async function load(url: string, jobs: number, log: (m: string) => void) {
  const db = openPostgres(url, { max: 2 });
  await migrate(db, await readMigrations());
  await db.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t = '2024-01-01T00:00:00Z';
  const random = rng(42);
  const nsId = ids.namespace(NS);
  await sql`insert into namespaces values (${nsId}, ${NS}, ${t}, ${t})`;
  const pipelines = Math.ceil(jobs / PIPELINE_JOBS);
  let edges = 0;
  const started = Date.now();
  for (let p = 0; p < pipelines; p++) {
    const jobRows: unknown[][] = [];
    const datasetRows: unknown[][] = [];
    const io: unknown[][] = [];
    const cl: unknown[][] = [];
    const dsId = (d: number) => ids.dataset(NS, datasetName(p, d));
    for (let d = 0; d < PIPELINE_JOBS * 2; d++) {
      const time = new Date(Date.parse(t) + (p * 200 + d) * 1000).toISOString();
      datasetRows.push([dsId(d), nsId, NS, datasetName(p, d), time, time]);
    }
    for (let j = 0; j < Math.min(PIPELINE_JOBS, jobs - p * PIPELINE_JOBS); j++) {
      const id = ids.job(NS, jobName(p, j));
      const time = new Date(Date.parse(t) + (p * PIPELINE_JOBS + j) * 1000).toISOString();
      jobRows.push([id, nsId, NS, jobName(p, j), time, time]);
      const outs = [2 * j, 2 * j + 1];
      const ins = new Set<number>();
      if (j > 0) while (ins.size < Math.min(8, 2 * j)) ins.add(Math.max(0, 2 * j - 1 - Math.floor(random() * 40)));
      if (j % 20 === 7) ins.add(2 * j);
      for (const d of outs) io.push([ids.jobIo(id, 'out', dsId(d)), id, dsId(d), 'out', time, time]);
      for (const d of ins) io.push([ids.jobIo(id, 'in', dsId(d)), id, dsId(d), 'in', time, time]);
      const inList = [...ins].slice(0, 2);
      for (const col of ['c0', 'c1']) {
        for (const d of inList) cl.push([ids.columnEdge(dsId(outs[0]!), col, dsId(d), col), dsId(outs[0]!), col, dsId(d), col, time, time]);
      }
    }
    edges += io.length;
    const entity: Column[] = [
      ['id', 'uuid'],
      ['namespace_id', 'uuid'],
      ['namespace', 'text'],
      ['name', 'text'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
    ];
    await insertRows(sql, 'datasets', entity, datasetRows);
    await insertRows(sql, 'jobs', entity, jobRows);
    await insertRows(
      sql,
      'job_io',
      [
        ['id', 'uuid'],
        ['job_id', 'uuid'],
        ['dataset_id', 'uuid'],
        ['direction', 'text'],
        ['created_at', 'timestamptz'],
        ['updated_at', 'timestamptz'],
      ],
      io,
    );
    await insertRows(
      sql,
      'column_lineage',
      [
        ['id', 'uuid'],
        ['output_dataset_id', 'uuid'],
        ['output_field', 'text'],
        ['input_dataset_id', 'uuid'],
        ['input_field', 'text'],
        ['created_at', 'timestamptz'],
        ['updated_at', 'timestamptz'],
      ],
      cl,
    );
    if (p % 200 === 0) log(`lineage: loaded ${p + 1}/${pipelines} pipelines, ${edges} edges (${fixed((Date.now() - started) / 1000)} s)`);
  }
  await sql`analyze`;
  await sql.end();
  return { pipelines, edges };
}

type Column = [name: string, type: 'uuid' | 'text' | 'timestamptz'];

/** One multi-row insert: each column travels as one array parameter (duplicates are skipped). */
function insertRows(sql: postgres.Sql, table: string, columns: Column[], rows: unknown[][]) {
  const arrays = columns.map(([, type], i) => sql`${sql.array(rows.map((r) => r[i] as string))}::${sql.unsafe(type)}[]`);
  const names = sql.unsafe(columns.map(([name]) => name).join(', '));
  return sql`insert into ${sql(table)} (${names}) select * from unnest(${arrays.flatMap((a, i) => (i ? [sql`, `, a] : [a]))}) on conflict do nothing`;
}

/**
 * The bare recursive CTE: jobs reachable both ways from a dataset by job hops, then their edges; ids only.
 * Bounded walks keep (job, depth) rows; an unbounded one keeps only the job (else cycles never end).
 */
function bareQuery(sql: postgres.Sql, datasetId: string, depth: number | null) {
  const d = depth === null ? sql`` : sql`, depth`;
  const first = depth === null ? sql`` : sql`, 0`;
  const next = (alias: string) => (depth === null ? sql`` : sql`, ${sql.unsafe(alias)}.depth + 1`);
  const bound = (alias: string) => (depth === null ? sql`` : sql`where ${sql.unsafe(alias)}.depth < ${depth}`);
  return sql`with recursive
    down(job_id${d}) as (
      select job_id${first} from job_io where dataset_id = ${datasetId} and direction = 'in'
      union
      select r.job_id${next('w')} from down w join job_io o on o.job_id = w.job_id and o.direction = 'out'
      join job_io r on r.dataset_id = o.dataset_id and r.direction = 'in' ${bound('w')}),
    up(job_id${d}) as (
      select job_id${first} from job_io where dataset_id = ${datasetId} and direction = 'out'
      union
      select x.job_id${next('u')} from up u join job_io i on i.job_id = u.job_id and i.direction = 'in'
      join job_io x on x.dataset_id = i.dataset_id and x.direction = 'out' ${bound('u')})
    select e.job_id, e.dataset_id, e.direction from job_io e where e.job_id in (select job_id from down union select job_id from up)`;
}

function bareColumns(sql: postgres.Sql, datasetId: string, depth: number) {
  return sql`with recursive up(ds, f, depth) as (
      select output_dataset_id, output_field, 0 from column_lineage where output_dataset_id = ${datasetId}
      union
      select cl.input_dataset_id, cl.input_field, u.depth + 1 from up u
      join column_lineage cl on cl.output_dataset_id = u.ds and cl.output_field = u.f where u.depth < ${depth})
    select * from up`;
}

function getJson(agent: http.Agent, url: URL): Promise<{ status: number; bytes: number }> {
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

async function timed(n: number, fn: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

export const lineageSection: Section = {
  name: 'lineage',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const failures: string[] = [];
    const rows: string[][] = [];
    const json: unknown[] = [];
    if (!ctx.databaseUrl || !ctx.databases.includes('postgres')) {
      return { title: 'Lineage queries (skipped: needs DATABASE_URL)', columns: [], rows: [], notes: [], failures, json };
    }
    const jobs = Number(process.env.BENCH_LINEAGE_JOBS ?? 100_000);
    const samples = Number(process.env.BENCH_LINEAGE_SAMPLES ?? 50);
    const scratch = await scratchPostgres(ctx.databaseUrl);
    await withCleanup(scratch.drop, async () => {
      const loaded = await load(scratch.url, jobs, ctx.log);
      ctx.log(`lineage: ${jobs} jobs, ${loaded.edges} edges`);
      const server = await startServer({ DATABASE_URL: scratch.url });
      const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await withCleanup(
        async () => {
          agent.destroy();
          await sql.end();
          await server.stop();
        },
        async () => {
          const random = rng(7);
          // Start from a dataset in the middle of a pipeline: both directions have long chains.
          const starts = Array.from({ length: samples }, () => {
            const p = Math.floor(random() * loaded.pipelines);
            return { p, d: 80 + Math.floor(random() * 40) };
          });
          const api = (path: string) => async () => {
            const r = await getJson(agent, new URL(path, server.url));
            if (r.status !== 200) failures.push(`${path} answered ${r.status}`);
          };
          const measure = async (name: string, apiPath: (i: number) => string, bare: ((i: number) => Promise<unknown>) | null) => {
            await api(apiPath(0))();
            const a = await timed(samples, (i) => api(apiPath(i))());
            const b = bare ? await timed(samples, bare) : undefined;
            const ratio = b ? a.p99 / b.p99 : undefined;
            rows.push([name, fixed(a.p50, 1), fixed(a.p99, 1), fixed(b?.p50, 1), fixed(b?.p99, 1), ratio ? `${ratio.toFixed(2)}×` : '—']);
            json.push({ name, api: a, bare: b, ratio });
            ctx.log(`lineage: ${name} api p99 ${fixed(a.p99, 1)} ms, bare p99 ${fixed(b?.p99, 1)} ms`);
          };
          const node = (i: number) => `dataset:${NS}:${datasetName(starts[i]!.p, starts[i]!.d)}`;
          const dsId = (i: number) => ids.dataset(NS, datasetName(starts[i]!.p, starts[i]!.d));
          for (const depth of [2, 10, null] as const) {
            await measure(
              `lineage depth ${depth ?? 'all'}`,
              (i) => `/api/v1/lineage?nodeId=${encodeURIComponent(node(i))}&depth=${depth ?? 'all'}`,
              (i) => bareQuery(sql, dsId(i), depth),
            );
          }
          await measure(
            'column-lineage depth 10',
            (i) => `/api/v1/column-lineage?nodeId=${encodeURIComponent(node(i))}&depth=10`,
            (i) => bareColumns(sql, dsId(i), 10),
          );
          await measure('jobs list (namespace, 100)', () => `/api/v1/namespaces/${NS}/jobs?limit=100`, null);
          await measure('jobs list (all, dashboard 10)', () => '/api/v1/jobs?limit=10&offset=0', null);
          await measure('datasets list (namespace, 20)', () => `/api/v1/namespaces/${NS}/datasets?limit=20&offset=0`, null);
          await measure('search (q=job_42, 100)', () => '/api/v1/search?q=job_42&sort=UPDATE_AT&limit=100', null);
        },
      );
    });
    return {
      title: `Lineage queries over a synthetic graph (${jobs} jobs, Postgres), one client, ms`,
      columns: ['query', 'api p50', 'api p99', 'bare p50', 'bare p99', 'p99 ratio'],
      rows,
      notes: ['bare = the recursive CTE alone, sent with postgres.js (ids only, no node data); ratio = api p99 / bare p99'],
      failures,
      json,
    };
  },
};
