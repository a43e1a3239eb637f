import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { ingestPipeline } from '../src/ingest/pipeline';
import { openDatabase } from '../src/service';
import { pedigree } from './support/cli';
import { post } from './support/events';
import { count } from './support/snapshot';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** A run of `job` `days` ago: START and COMPLETE, writing `out`. */
const run = (job: string, days: number) => {
  const runId = randomUUID();
  return ['START', 'COMPLETE'].map((eventType) => ({
    eventType,
    eventTime: ago(days),
    producer: 'https://example.com/pedigree-retention-cli',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId },
    job: { namespace: 'cli', name: job },
    inputs: [],
    outputs: eventType === 'COMPLETE' ? [{ namespace: 'cli', name: `${job}.out` }] : [],
  }));
};

describe('pedigree retention', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pedigree-retention-'));
    const db = await openDatabase({ dataDir: dir, databaseUrl: undefined, databasePoolSize: 1 });
    await migrate(db, await readMigrations());
    const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
    // Two old runs and a recent one of a job; the old ones go, the recent one is its latest run.
    for (const events of [run('nightly', 400), run('nightly', 300), run('nightly', 10)])
      for (const e of events) expect((await post(app, e)).status).toBe(201);
    await db.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts exactly with --dry-run, deletes the same with the real pass, in JSON and for people', async () => {
    const dry = await pedigree(dir, ['retention', '--older-than', '200d', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const counted = JSON.parse(dry.stdout);
    expect(counted).toMatchObject({ olderThan: '200d', dryRun: true, chunks: 0 });
    expect(counted.counts).toMatchObject({ runs: 2, events: { run: 4, dataset: 0, job: 0 }, datasetVersions: 2 });

    const real = await pedigree(dir, ['retention', '--older-than=200d', '--json', '--chunk', '1']);
    expect(real.code, real.stderr).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.dryRun).toBe(false);
    expect(done.counts).toEqual(counted.counts);
    // The old events waited in the default partition (no month of theirs existed): the pass gave each its
    // month and dropped both whole, as the dry run said it would.
    expect(done.months).toEqual(counted.months);
    expect(done.months).toHaveLength(2);
    expect(done.chunks).toBeGreaterThanOrEqual(2);

    const again = await pedigree(dir, ['retention', '--older-than', '200d']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^retention: everything older than 200d \(/);
    expect(again.stdout).toMatch(/\n {2}runs +0\n/);
    expect(again.stdout).toMatch(/\n {2}events +0 \(RunEvents 0, DatasetEvents 0, JobEvents 0\)\n/);

    const db = await openDatabase({ dataDir: dir, databaseUrl: undefined, databasePoolSize: 1 });
    try {
      expect(await count(db, 'runs')).toBe(1);
      expect(await count(db, 'lineage_events')).toBe(2);
    } finally {
      await db.close();
    }
  });

  it.each([
    [['retention'], /--older-than AGE is required/],
    [['retention', '--older-than', '90'], /must be a number of hours, days or weeks/],
    [['retention', '--older-than', '90d', '--chunk', '0'], /--chunk must be a positive integer/],
    [['retention', '--older-than', '90d', '--force'], /unknown argument --force/],
  ])('refuses %j with a usage error, touching nothing', async (args, message) => {
    const res = await pedigree(dir, args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});
