/**
 * `npm run bench`: runs each section in turn, prints its table and writes everything to bench/results.json.
 * A measurement tool: nothing here asserts a timing. It exits 1 only when a run's numbers cannot be trusted
 * (the collector answered something other than 201, ...).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { ingestSection } from './ingest';
import { type BenchContext, formatTable, postgresSettings, type Section } from './lib';
import { lineageSection } from './lineage';
import { mlflowSection } from './mlflow';
import { modelsSection } from './models';
import { uiSection } from './ui-layout';
import { benchClient } from './wrk';

/** BENCH_SECTIONS=ingest,lineage,models,ui,mlflow picks sections (default: all). */
const wanted = (process.env.BENCH_SECTIONS ?? 'ingest,lineage,models,ui,mlflow').split(',').map((s) => s.trim());
const sections: Section[] = [ingestSection, lineageSection, modelsSection, uiSection, mlflowSection].filter((s) => wanted.includes(s.name));

function positiveInteger(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

const databaseUrl = process.env.DATABASE_URL || undefined;
const events = positiveInteger('BENCH_EVENTS', undefined);
const ctx: BenchContext = {
  databaseUrl,
  databases: (process.env.BENCH_DATABASES ?? 'pglite,postgres')
    .split(',')
    .map((s) => {
      const d = s.trim();
      if (d !== 'pglite' && d !== 'postgres') throw new Error(`BENCH_DATABASES must list pglite and/or postgres, got "${s}"`);
      return d;
    })
    .filter((d) => d === 'pglite' || databaseUrl),
  concurrencies: (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`BENCH_CONCURRENCY must list positive integers, got "${s}"`);
    return n;
  }),
  seconds: positiveInteger('BENCH_SECONDS', 6)!,
  events,
  warmup: positiveInteger('BENCH_WARMUP', 40_000)!,
  warmupSeconds: positiveInteger('BENCH_WARMUP_SECONDS', 20)!,
  client: benchClient(events),
  log: (message) => console.error(message),
};

const started = Date.now();
const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryMb: Math.round(os.totalmem() / 1024 ** 2),
  date: new Date(started).toISOString(),
};
const postgresAt = databaseUrl ? await postgresSettings(databaseUrl) : undefined;
if (postgresAt)
  ctx.log(
    `PostgreSQL ${Object.entries(postgresAt)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}; client ${ctx.client}`,
  );
const config = { ...ctx, databaseUrl: ctx.databaseUrl ? redact(ctx.databaseUrl) : undefined, postgres: postgresAt, log: undefined };

const output: Record<string, unknown> = {};
const failures: string[] = [];
for (const section of sections) {
  const result = await section.run(ctx);
  console.log(`\n${result.title}\n\n${formatTable(result.columns, result.rows)}\n`);
  for (const note of result.notes) console.log(`note: ${note}`);
  output[section.name] = result.json;
  failures.push(...result.failures.map((f) => `${section.name}: ${f}`));
}

const seconds = (Date.now() - started) / 1000;
const path = new URL('./results.json', import.meta.url);
await writeFile(path, `${JSON.stringify({ machine, config, seconds, failures, sections: output }, null, 2)}\n`);
console.log(`\nbench took ${seconds.toFixed(0)} s; results in bench/results.json`);
if (failures.length) {
  console.error(`\nFAILED: the numbers above are not trustworthy:\n${failures.join('\n')}`);
  process.exit(1);
}

/** The URL without its password, for results.json. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
