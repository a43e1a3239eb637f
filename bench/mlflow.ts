/**
 * MLflow section: `runs/search` over a tracking store of BENCH_MLFLOW_RUNS runs (default 100,000) in one
 * experiment, each with MLflow's usual tags (mlflow.runName, mlflow.user, mlflow.source.git.commit), a
 * `dataset_version` tag drawn from 1,000 values, `triggered_by`, 5 params and 3 latest metrics, loaded
 * with one INSERT … SELECT generate_series per table, then analyzed as autovacuum would.
 *
 * Timed in process, the way the route runs it (`searchRunIds` of src/tracking/run-search.ts: the ids of
 * one page, in order), one client: `tags.dataset_version = '<value>'` over BENCH_MLFLOW_SAMPLES distinct
 * values (max_results 1000, MLflow's default order), and for comparison a non-selective param filter and
 * the unfiltered first page. Baselines measured in the same run, through the same driver: a bare
 * `select 1` round trip and the primary-key lookup of one run; ratio = search p99 ÷ lookup p99.
 *
 * PostgreSQL (with DATABASE_URL): a scratch `bench_<random>` database, dropped afterwards. PGlite: in memory.
 */
import { type SQL, sql } from 'drizzle-orm';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { select, textArray } from '../src/db/sql';
import { ingestPipeline } from '../src/ingest/pipeline';
import { searchRunIds } from '../src/tracking/run-search';
import { type BenchContext, fixed, type Section, type SectionResult, scratchPostgres, timed, withCleanup } from './lib';

const VERSIONS = 1000;
const version = (k: number) => `orders_${String(k).padStart(4, '0')}`;

/** The store, one statement per table; `i` numbers the runs, and each value is a function of it. */
export async function load(db: Db, runs: number) {
  const run = sql`md5('run' || i)`;
  const series = sql`generate_series(1, ${runs}::int) i`;
  const statements: SQL[] = [
    sql`insert into mlflow_experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time)
      values (1, 'bench', 'active', 1700000000000, 1700000000000)`,
    sql`insert into mlflow_runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage,
        artifact_uri, job_namespace, job_name)
      select ${run}, 1, 'run-' || i, 'user' || (i % 50), (array['FINISHED', 'FINISHED', 'FINISHED', 'FAILED', 'KILLED'])[1 + i % 5],
        1700000000000 + i * 60000::bigint, 1700000000000 + i * 60000::bigint + 30000, 'active',
        's3://bench/1/' || ${run} || '/artifacts', 'mlflow', 'bench'
      from ${series}`,
    // 7919 is prime to 1000: every dataset version tags runs/1000 runs spread over the whole history.
    sql`insert into mlflow_tags (run_uuid, key, value)
      select ${run}, k, case k
          when 'mlflow.runName' then 'run-' || i
          when 'mlflow.user' then 'user' || (i % 50)
          when 'mlflow.source.git.commit' then md5('commit' || (i / 20)) || left(md5('c' || (i / 20)), 8)
          when 'dataset_version' then 'orders_' || lpad(((i * 7919) % ${VERSIONS}::int)::text, 4, '0')
          else (array['schedule', 'manual', 'ci'])[1 + i % 3] end
      from ${series}, unnest(array['mlflow.runName', 'mlflow.user', 'mlflow.source.git.commit', 'dataset_version', 'triggered_by']) k`,
    sql`insert into mlflow_params (run_uuid, key, value)
      select ${run}, k, case k
          when 'learning_rate' then (array['0.1', '0.01', '0.001'])[1 + i % 3]
          when 'batch_size' then (array['32', '64', '128', '256'])[1 + i % 4]
          when 'epochs' then (10 + i % 40)::text
          when 'model' then (array['xgboost', 'lightgbm', 'catboost', 'random_forest', 'logistic'])[1 + i % 5]
          else i::text end
      from ${series}, unnest(array['learning_rate', 'batch_size', 'epochs', 'model', 'seed']) k`,
    sql`insert into mlflow_latest_metrics (run_uuid, key, value, timestamp, step)
      select ${run}, k, ((i * 37 + length(k)) % 1000) / 1000.0, 1700000000000 + i * 60000::bigint + 29000, 10 + i % 40
      from ${series}, unnest(array['accuracy', 'loss', 'f1']) k`,
  ];
  await withoutKeys(db, ['mlflow_tags', 'mlflow_params', 'mlflow_latest_metrics'], async () => {
    for (const s of statements) await db.orm.execute(s);
  });
  // A store that has been running is analyzed by autovacuum; a fresh load is not yet.
  await db.orm.execute(sql`vacuum analyze`);
}

/**
 * Runs `load` with the tables' keys, foreign keys and indexes dropped, then puts them back as the catalog
 * defines them, as pg_restore does: built once, they cost a third of what maintaining them row by row
 * does (1.3M rows), and the section stays within a minute on two cores.
 */
async function withoutKeys(db: Db, tables: string[], load: () => Promise<void>) {
  const constraints = await select<{ tbl: string; name: string; def: string; type: 'p' | 'f' }>(
    db,
    sql`select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def, contype as type
      from pg_constraint where conrelid = any(${textArray(tables)}::regclass[]) and contype in ('p', 'f') order by contype desc`,
  );
  const indexes = await select<{ name: string; def: string }>(
    db,
    sql`select indexname as name, indexdef as def from pg_indexes
      where tablename = any(${textArray(tables)}) and indexname not in (select conname from pg_constraint)`,
  );
  // Foreign keys first (contype desc), then the primary keys.
  for (const c of constraints) await db.orm.execute(sql`alter table ${sql.raw(c.tbl)} drop constraint ${sql.identifier(c.name)}`);
  for (const i of indexes) await db.orm.execute(sql`drop index ${sql.identifier(i.name)}`);
  await load();
  for (const c of [...constraints].reverse())
    await db.orm.execute(sql`alter table ${sql.raw(c.tbl)} add constraint ${sql.identifier(c.name)} ${sql.raw(c.def)}`);
  for (const i of indexes) await db.orm.execute(sql.raw(i.def));
}

interface Measured {
  database: string;
  runs: number;
  query: string;
  samples: number;
  p50: number;
  p99: number;
  /** Of the primary-key lookup, for the search rows. */
  ratio?: number;
}

/** Picks `n` distinct versions in a fixed pseudo-random order, so that runs compare. */
function sampleVersions(n: number): string[] {
  const step = 389; // prime to 1000
  return Array.from({ length: Math.min(n, VERSIONS) }, (_, k) => version((17 + k * step) % VERSIONS));
}

async function measure(db: Db, database: string, runs: number, samples: number, failures: string[], log: (m: string) => void) {
  const started = performance.now();
  await load(db, runs);
  log(`mlflow/${database}: ${runs} runs loaded in ${fixed((performance.now() - started) / 1000, 1)} s`);
  const search = (filter: string | undefined) =>
    searchRunIds(db, { experimentIds: ['1'], maxResults: 1000, orderBy: [], ...(filter === undefined ? {} : { filter }) });
  const ids = (await select<{ id: string }>(db, sql`select run_uuid as id from mlflow_runs order by random() limit ${samples}`)).map(
    (r) => r.id,
  );
  const versions = sampleVersions(samples);
  const perVersion = Math.floor(runs / VERSIONS);

  // Warm-up: the same statements, untimed (plans, caches, the pool's connections).
  for (let i = 0; i < 20; i++) {
    await select(db, sql`select 1`);
    await select(db, sql`select r.run_uuid from mlflow_runs r where r.run_uuid = ${ids[i % ids.length]!}`);
    await search(`tags.dataset_version = '${versions[versions.length - 1 - (i % versions.length)]}'`);
  }

  const out: Measured[] = [];
  const add = (query: string, n: number, t: { p50: number; p99: number }, lookup?: number) =>
    out.push({ database, runs, query, samples: n, p50: t.p50, p99: t.p99, ...(lookup ? { ratio: t.p99 / lookup } : {}) });
  add('baseline: select 1', samples, await timed(samples, () => select(db, sql`select 1`)));
  const lookup = await timed(samples, (i) => select(db, sql`select r.run_uuid from mlflow_runs r where r.run_uuid = ${ids[i]!}`));
  add('baseline: one run by primary key', samples, lookup);

  const byVersion = await timed(versions.length, async (i) => {
    const found = await search(`tags.dataset_version = '${versions[i]}'`);
    if (found.runUuids.length !== Math.min(perVersion, 1000))
      failures.push(`tags.dataset_version = '${versions[i]}' found ${found.runUuids.length} runs, not ${perVersion}`);
  });
  add("search: tags.dataset_version = '<v>'", versions.length, byVersion, lookup.p99);
  // What the client waits for: the route, answering the 100 runs found whole (params, tags, metrics, inputs).
  const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
  const byRoute = await timed(versions.length, async (i) => {
    const res = await app.request('/api/2.0/mlflow/runs/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_ids: ['1'], filter: `tags.dataset_version = '${versions[i]}'`, max_results: 1000 }),
    });
    const body = (await res.json()) as { runs?: unknown[] };
    if (res.status !== 200 || body.runs?.length !== Math.min(perVersion, 1000))
      failures.push(`POST runs/search answered ${res.status} with ${body.runs?.length} runs, not ${perVersion}`);
  });
  add("route: POST runs/search tags.dataset_version = '<v>' (runs whole)", versions.length, byRoute, lookup.p99);
  const few = Math.max(5, Math.floor(samples / 10));
  const models = ['xgboost', 'lightgbm', 'catboost', 'random_forest', 'logistic'];
  add("search: params.model = '<m>' (1 run in 5)", few, await timed(few, (i) => search(`params.model = '${models[i % 5]}'`)), lookup.p99);
  add('search: no filter, first page', few, await timed(few, () => search(undefined)), lookup.p99);
  return out;
}

export const mlflowSection: Section = {
  name: 'mlflow',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const failures: string[] = [];
    const runs = Number(process.env.BENCH_MLFLOW_RUNS ?? 100_000);
    const samples = Number(process.env.BENCH_MLFLOW_SAMPLES ?? 200);
    const measured: Measured[] = [];
    if (ctx.databases.includes('postgres') && ctx.databaseUrl) {
      const scratch = await scratchPostgres(ctx.databaseUrl);
      measured.push(
        ...(await withCleanup(scratch.drop, async () => {
          const db = openPostgres(scratch.url, { max: 2 });
          return withCleanup(
            () => db.close(),
            async () => {
              await migrate(db, await readMigrations());
              return measure(db, 'postgres', runs, samples, failures, ctx.log);
            },
          );
        })),
      );
    }
    if (ctx.databases.includes('pglite')) {
      const db = await openPglite();
      measured.push(
        ...(await withCleanup(
          () => db.close(),
          async () => {
            await migrate(db, await readMigrations());
            return measure(db, 'pglite', runs, samples, failures, ctx.log);
          },
        )),
      );
    }
    return {
      title: `MLflow runs/search (searchRunIds, max_results 1000, default order), one client, ms`,
      columns: ['database', 'runs', 'query', 'samples', 'p50', 'p99', 'p99 ratio'],
      rows: measured.map((m) => [
        m.database,
        String(m.runs),
        m.query,
        String(m.samples),
        fixed(m.p50, 2),
        fixed(m.p99, 2),
        m.ratio ? `${m.ratio.toFixed(1)}×` : '—',
      ]),
      notes: [
        'in process, through the same driver as the route; ratio = search p99 / primary-key lookup p99',
        `each dataset_version tags ${Math.floor(runs / VERSIONS)} runs; every sample asks a different one`,
      ],
      failures,
      json: measured,
    };
  },
};
