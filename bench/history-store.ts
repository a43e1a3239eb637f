/**
 * Builds a store with long job histories, for `BENCH_INGEST_GROWN_TEMPLATE`: the corpus replicated over its
 * 35 jobs until `events` events (default 200,000: about 2,600 runs a job), accepted and normalized by the
 * collector's own code. The 1M-edge graph measures a store of many jobs that each ran once; this one, jobs
 * that ran thousands of times, where a statement that reads a job's whole history grows with it.
 *
 *   npx tsx bench/history-store.ts postgres://postgres@127.0.0.1:5432/history [events]
 *
 * The database is created (dropped first if it exists). Its replicas come before the bench's own (negative
 * replica numbers: earlier times, other run ids), so the bench's events stay the newest of each job.
 */
import postgres from 'postgres';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPostgres } from '../src/db/postgres';
import { prepareEvent } from '../src/ingest/ingest';
import { Normalizer } from '../src/ingest/normalizer';
import { acceptEvents } from '../src/ingest/store';
import { buildBodies, loadCorpus } from './ingest';

const [url, count] = process.argv.slice(2);
if (!url) throw new Error('usage: bench/history-store.ts <database url> [events]');
const total = Number(count ?? 200_000);
const name = new URL(url).pathname.slice(1);
const quoted = `"${name.replaceAll('"', '""')}"`;
const admin = postgres(Object.assign(new URL(url), { pathname: '/postgres' }).href, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${quoted}`);
await admin.unsafe(`create database ${quoted}`);
await admin.end();

const db = openPostgres(url, { max: 4 });
await migrate(db, await readMigrations());
const { templates } = loadCorpus();
// 100 replicas a step, and the first far enough before zero that the last ends before the bench's first.
const REPLICAS_A_STEP = 100;
const first = -Math.ceil(total / templates.length) - REPLICAS_A_STEP;
const normalizer = new Normalizer(db);
const started = performance.now();
for (let replica = first, done = 0; done < total; replica += REPLICAS_A_STEP) {
  const bodies = buildBodies(templates, Math.min(REPLICAS_A_STEP * templates.length, total - done), replica);
  const events = bodies.map((body) => {
    const prepared = prepareEvent(body, { strict: false });
    if (!prepared.ok) throw new Error(`a replica was not accepted: ${prepared.errors[0]?.message}`);
    return prepared.event;
  });
  for (let i = 0; i < events.length; i += 200) await acceptEvents(db, events.slice(i, i + 200));
  await normalizer.drain();
  done += events.length;
  console.log(`${done} events, ${Math.round((done * 1000) / (performance.now() - started))} a second`);
}
await db.close();
// As autovacuum would have by then.
const sql = postgres(url, { max: 1, onnotice: () => {} });
await sql`vacuum analyze`;
const [shape] = await sql`select count(*)::int as runs, count(distinct job_id)::int as jobs from runs`;
console.log(`${name}: ${shape!.runs} runs of ${shape!.jobs} jobs`);
await sql.end();
