import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, rows } from '../src/db/client';
import { openPostgres } from '../src/db/postgres';
import { replayEvents } from '../src/ingest/replay';
import { createLogger } from '../src/log';
import { applyRetention } from '../src/retention/retention';
import { RetentionSchedule } from '../src/retention/schedule';
import { apiCalls } from './support/api-calls';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { count, snapshot, staleDocuments } from './support/snapshot';

const producer = 'https://example.com/pedigree-retention-tests';
const RUN_SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const DATASET_SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent';
const JOB_SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent';
const NS = 'retention://warehouse';
const CUTOFF = '2026-06-01T00:00:00.000Z';

const ds = (name: string, facets: Record<string, unknown> = {}) => ({ namespace: NS, name, facets });
const schema = (fields: string[]) => ({
  _producer: producer,
  _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  fields: fields.map((name) => ({ name, type: 'STRING' })),
});
const tags = (value: string) => ({
  _producer: producer,
  _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet',
  tags: [{ key: 'batch', value, source: 'USER' }],
});

/** A run of `job` at `time`: START with its inputs, COMPLETE with its outputs an hour later. */
function run(job: string, time: string, inputs: string[], outputs: string[], runId = randomUUID()) {
  const event = (eventType: string, eventTime: string) => ({
    eventType,
    eventTime,
    producer,
    schemaURL: RUN_SCHEMA,
    run: { runId, facets: { tags: tags(`${job}@${time}`) } },
    job: { namespace: NS, name: job, facets: {} },
    inputs: eventType === 'START' ? inputs.map((i) => ds(i)) : [],
    outputs: eventType === 'COMPLETE' ? outputs.map((o) => ds(o, { schema: schema(['id', `at_${time.slice(0, 7)}`]) })) : [],
  });
  return { runId, events: [event('START', time), event('COMPLETE', new Date(Date.parse(time) + 3_600_000).toISOString())] };
}

const datasetEvent = (name: string, time: string, fields: string[]) => ({
  eventTime: time,
  producer,
  schemaURL: DATASET_SCHEMA,
  dataset: ds(name, { schema: schema(fields) }),
});
const jobEvent = (name: string, time: string, output: string) => ({
  eventTime: time,
  producer,
  schemaURL: JOB_SCHEMA,
  job: { namespace: NS, name, facets: {} },
  inputs: [ds('in.orders')],
  outputs: [ds(output)],
});

const num = (v: unknown) => Number(v);
/** A time as either driver returns it (a Date, or text such as `2026-01-05 10:00:00+00`), in ms. */
const ms = (v: unknown) =>
  v instanceof Date
    ? v.getTime()
    : Date.parse(
        String(v)
          .replace(' ', 'T')
          .replace(/([+-]\d\d)$/, '$1:00'),
      );

/** Rows of each table retention deletes from, by kind for the events. */
async function tally(db: Db) {
  const events = await rows<{ kind: string; n: string | number }>(
    db.orm,
    sql`select kind, count(*) as n from lineage_events group by kind`,
  );
  const byKind = Object.fromEntries(events.map((e) => [e.kind, num(e.n)]));
  return {
    runs: await count(db, 'runs'),
    runIo: await count(db, 'run_io'),
    datasetVersions: await count(db, 'dataset_versions'),
    jobVersions: await count(db, 'job_versions'),
    jobVersionIo: await count(db, 'job_version_io'),
    facets: await count(db, 'facets'),
    facetValues: await count(db, 'facet_values'),
    events: { run: byKind.run ?? 0, dataset: byKind.dataset ?? 0, job: byKind.job ?? 0 },
  };
}

const minus = (a: Awaited<ReturnType<typeof tally>>, b: Awaited<ReturnType<typeof tally>>) => ({
  runs: a.runs - b.runs,
  runIo: a.runIo - b.runIo,
  datasetVersions: a.datasetVersions - b.datasetVersions,
  jobVersions: a.jobVersions - b.jobVersions,
  jobVersionIo: a.jobVersionIo - b.jobVersionIo,
  facets: a.facets - b.facets,
  facetValues: a.facetValues - b.facetValues,
  events: { run: a.events.run - b.events.run, dataset: a.events.dataset - b.events.dataset, job: a.events.job - b.events.job },
});

const months = ['2026-01', '2026-02', '2026-03', '2026-07', '2026-08'];

describe.each(databases)('retention on $name', (database) => {
  const ctx = useDatabase(database);
  const { call } = apiCalls(() => ctx().app);

  /**
   * The story, January to August 2026, retention at 1 June:
   * - etl.daily: old1 (January, also reads in.legacy: a job version of its own), old2 (January), old3
   *   (February), old4 (March), new1 (July);
   * - train: t_old (February, reads out.daily as old3 wrote it; model clf v1 is registered from it) and
   *   t_new (August);
   * - DatasetEvents of ds.static in January, March and August; of ds.lonely in March alone;
   * - JobEvents of static.job in February (writing out.static), March and August (writing out.static2).
   */
  async function story() {
    const { app, db } = ctx();
    const old1 = run('etl.daily', '2026-01-05T10:00:00.000Z', ['in.orders', 'in.legacy'], ['out.daily']);
    const old2 = run('etl.daily', '2026-01-06T10:00:00.000Z', ['in.orders'], ['out.daily']);
    const old3 = run('etl.daily', '2026-02-06T10:00:00.000Z', ['in.orders'], ['out.daily']);
    const old4 = run('etl.daily', '2026-03-06T10:00:00.000Z', ['in.orders'], ['out.daily']);
    const new1 = run('etl.daily', '2026-07-06T10:00:00.000Z', ['in.orders'], ['out.daily']);
    const tOld = run('train', '2026-02-07T10:00:00.000Z', ['out.daily'], ['model.clf']);
    const tNew = run('train', '2026-08-07T10:00:00.000Z', ['out.daily'], ['model.clf2']);
    for (const r of [old1, old2, old3, old4, new1, tOld, tNew]) for (const e of r.events) expect((await post(app, e)).status).toBe(201);
    for (const e of [
      datasetEvent('ds.static', '2026-01-10T00:00:00.000Z', ['a']),
      datasetEvent('ds.static', '2026-03-10T00:00:00.000Z', ['a', 'b']),
      datasetEvent('ds.static', '2026-08-10T00:00:00.000Z', ['a', 'b']),
      datasetEvent('ds.lonely', '2026-03-11T00:00:00.000Z', ['x']),
      jobEvent('static.job', '2026-02-12T00:00:00.000Z', 'out.static'),
      jobEvent('static.job', '2026-03-12T00:00:00.000Z', 'out.static2'),
      jobEvent('static.job', '2026-08-12T00:00:00.000Z', 'out.static2'),
    ])
      expect((await post(app, e)).status).toBe(201);
    await call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'clf' });
    await call('POST', '/api/2.0/mlflow/model-versions/create', { name: 'clf', source: 's3://models/clf/1', run_id: tOld.runId });
    // The months the story's events fall in, as the migration or a pass would have made them.
    for (const m of months) await rows(db.orm, sql`select pedigree_event_partition(${`${m}-15T00:00:00Z`}::timestamptz)`);
    return { old1, old2, old3, old4, new1, tOld, tNew };
  }

  const has = async (db: Db, runId: string) => (await count(db, 'runs', `id = '${runId}'`)) === 1;
  const eventsOf = (db: Db, runId: string) => count(db, 'lineage_events', `run_id = '${runId}'`);

  it('deletes old runs and events, keeps the current graph and what a model version links to, counts exactly', async () => {
    const { db } = ctx();
    const s = await story();
    const before = await tally(db);
    // Every event is in its month's partition, none left in the default one.
    expect(await count(db, 'lineage_events_default')).toBe(0);
    expect(await count(db, 'lineage_events_2026_01')).toBe(2 * 2 + 1);

    const dry = (await applyRetention(db, { cutoff: CUTOFF, dryRun: true }))!;
    expect(await tally(db)).toEqual(before);
    const real = (await applyRetention(db, { cutoff: CUTOFF, chunkSize: 1 }))!;
    const after = await tally(db);

    // What the pass says it deleted is what is gone, and what the dry run counted.
    expect(real.counts).toEqual(minus(before, after));
    expect(dry.counts).toEqual(real.counts);
    expect(dry.months.map((m) => m.name)).toEqual(['lineage_events_2026_01']);
    expect(real.months).toEqual(dry.months);
    expect(real.chunks).toBeGreaterThanOrEqual(3);

    // old1, old2 (January, dropped whole), old4 (March, row by row) go; old3 stays: it wrote the version of
    // out.daily the training run of clf v1 read; t_old stays: clf v1 is registered from it.
    for (const r of [s.old1, s.old2, s.old4]) {
      expect(await has(db, r.runId)).toBe(false);
      expect(await eventsOf(db, r.runId)).toBe(0);
    }
    for (const r of [s.old3, s.tOld, s.new1, s.tNew]) {
      expect(await has(db, r.runId)).toBe(true);
      expect(await eventsOf(db, r.runId)).toBe(2);
    }
    expect(real.counts.runs).toBe(3);
    expect(real.counts.events.run).toBe(6);
    // The DatasetEvents of ds.static before the cutoff go (a later one says what it is now); ds.lonely's
    // only one stays. The JobEvents of February and March go, August's stays.
    expect(real.counts.events).toEqual({ run: 6, dataset: 2, job: 2 });
    // old1's job version (it alone read in.legacy) goes with its IO, and the one February's JobEvent alone
    // declared; March's is August's too, and stays.
    expect(real.counts.jobVersions).toBe(2);
    expect(real.counts.jobVersionIo).toBe(3 + 2);
    const staticJob = await call('GET', `/api/v1/namespaces/${encodeURIComponent(NS)}/jobs/static.job`);
    expect(staticJob.outputs).toEqual([{ namespace: NS, name: 'out.static2' }]);
    // The tags facets of the three runs had a value each, referenced by nothing else.
    expect(real.counts.facetValues).toBeGreaterThanOrEqual(3);
    expect(await count(db, 'facets f', 'not exists (select 1 from facet_values v where v.id = f.value_id)')).toBe(0);
    expect(await count(db, 'facet_values v', 'not exists (select 1 from facets f where f.value_id = v.id)')).toBe(0);

    // The current graph: the job's current version and latest run, the dataset's current version.
    const job = await call('GET', `/api/v1/namespaces/${encodeURIComponent(NS)}/jobs/etl.daily`);
    expect(job.latestRun.id).toBe(s.new1.runId);
    const daily = await call('GET', `/api/v1/namespaces/${encodeURIComponent(NS)}/datasets/out.daily`);
    expect(daily.currentVersion).toBeTruthy();
    expect(await staleDocuments(db)).toEqual([]);
    // The January partition is gone; others stay.
    expect(await count(db, 'pg_class', "relname = 'lineage_events_2026_01'")).toBe(0);
    expect(await count(db, 'pg_class', "relname = 'lineage_events_2026_03'")).toBe(1);

    // A second pass finds nothing more.
    const again = (await applyRetention(db, { cutoff: CUTOFF }))!;
    expect(again.counts).toEqual((await applyRetention(db, { cutoff: CUTOFF, dryRun: true }))!.counts);
    expect(again.counts.runs).toBe(0);
  });

  /**
   * Replaying what remains rebuilds the same state, but for what the rows many runs share remember of the
   * runs deleted: when they were first seen (created_at: the job existed in January, even when January is
   * gone) and what only deleted runs said (a field of an old schema, an edge of an old job version). Those
   * the pass leaves as they were; replay cannot know them. Everything else is equal.
   */
  it('leaves state that replaying the remaining events rebuilds, but for what shared rows remember', async () => {
    const { db } = ctx();
    const live = await snapshot(db);
    await replayEvents(db, { rebuild: true });
    const replayed = await snapshot(db);
    for (const table of ['lineage_events', 'runs', 'run_io', 'dataset_versions', 'job_versions', 'job_version_io', 'facets']) {
      expect(replayed[table], table).toEqual(live[table]);
    }
    const shared = ['namespaces', 'sources', 'datasets', 'dataset_fields', 'dataset_symlinks', 'column_lineage', 'jobs', 'job_io'];
    const documents = ['job_documents', 'dataset_documents'];
    for (const table of [...shared, ...documents]) {
      const key = (r: Record<string, unknown>) => String(r.id ?? r.job_id ?? r.dataset_id);
      const unspanned = (r: Record<string, unknown>) =>
        JSON.parse(JSON.stringify(r), (k, v) => (['created_at', 'updated_at', 'createdAt', 'updatedAt'].includes(k) ? undefined : v));
      const byKey = new Map(live[table]!.map((r) => [key(r as Record<string, unknown>), r as Record<string, unknown>]));
      // Every row replay makes is there, the same but for its span; a first-seen time is never later.
      for (const r of replayed[table] as Record<string, unknown>[]) {
        const l = byKey.get(key(r));
        expect(l, `${table} ${key(r)}`).toBeDefined();
        expect(unspanned(l!), table).toEqual(unspanned(r));
        if (r.created_at) expect(ms(l!.created_at)).toBeLessThanOrEqual(ms(r.created_at));
        byKey.delete(key(r));
      }
      // The rows only deleted runs mentioned: last seen before the cutoff, and out of the current graph.
      for (const l of byKey.values()) {
        if (documents.includes(table)) continue;
        expect(ms(l.updated_at), `${table} ${key(l)}`).toBeLessThan(ms(CUTOFF));
        if ('current' in l) expect(l.current).toBe(false);
      }
    }
  });
});

describe.each(databases)('retention while ingest goes on, on $name', (database) => {
  const ctx = useDatabase(database);

  it('leaves alone a run whose event is not normalized yet, and runs daily with PEDIGREE_RETENTION_DAYS', async () => {
    const { app, db, normalizer } = ctx();
    const old = run('etl.hourly', '2026-01-05T10:00:00.000Z', ['in.a'], ['out.b']);
    const older = run('etl.hourly', '2026-01-04T10:00:00.000Z', ['in.a'], ['out.b']);
    const latest = run('etl.hourly', '2026-07-05T10:00:00.000Z', ['in.a'], ['out.b']);
    for (const r of [older, old, latest]) for (const e of r.events) expect((await post(app, e)).status).toBe(201);
    // A late event of an old run arrives; retention runs before it is normalized.
    const late = { ...old.events[1]!, eventType: 'OTHER', eventTime: '2026-01-05T12:00:00.000Z' };
    expect((await post(app, late, { wait: false })).status).toBe(201);

    const logged: string[] = [];
    const days = 30;
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logged.push(JSON.parse(line).msg) } });
    const schedule = new RetentionSchedule(db, { days, logger });
    const report = (await schedule.turn(Date.parse(CUTOFF) + days * 86_400_000))!;
    expect(report.cutoff).toBe(CUTOFF);
    expect(report.counts.runs).toBe(1);
    expect(await count(db, 'runs', `id = '${older.runId}'`)).toBe(0);
    // The run with an event queued keeps its rows and its three events; normalized now, it is whole.
    expect(await count(db, 'lineage_events', `run_id = '${old.runId}'`)).toBe(3);
    await normalizer.drain();
    const [state] = await rows<{ updated_at: unknown }>(db.orm, sql`select updated_at from runs where id = ${old.runId}`);
    expect(ms(state!.updated_at)).toBe(Date.parse('2026-01-05T12:00:00.000Z'));
    expect(logged.join('\n')).toMatch(/runs\s+1\n/);
  });

  it.runIf(database.name === 'postgres')(
    'keeps rows, events and facet values consistent while events arrive and are normalized',
    async () => {
      const { app, db, normalizer } = ctx();
      const olds = Array.from({ length: 24 }, (_, i) =>
        run('etl.busy', `2026-01-${String(i + 1).padStart(2, '0')}T10:00:00.000Z`, ['in.c'], ['out.d']),
      );
      for (const r of olds) for (const e of r.events) expect((await post(app, e)).status).toBe(201);
      expect((await post(app, run('etl.busy', '2026-07-01T10:00:00.000Z', ['in.c'], ['out.d']).events[0]!)).status).toBe(201);
      normalizer.start();
      try {
        // While the pass deletes two runs per transaction: late events of old runs, and new runs whose facets
        // have the very contents of old runs' (their values are being collected).
        const arrivals = (async () => {
          for (const [i, r] of olds.entries()) {
            const late = {
              ...r.events[1]!,
              eventType: 'OTHER',
              eventTime: i % 8 === 1 ? '2026-01-28T00:00:00.000Z' : '2026-08-01T00:00:00.000Z',
            };
            const twin = {
              ...r.events[1]!,
              run: { ...(r.events[1]!.run as object), runId: randomUUID() },
              eventTime: '2026-08-02T00:00:00.000Z',
            };
            expect((await post(app, twin, { wait: false })).status).toBe(201);
            // A quarter of the old runs get a late event (old, or recent); the others are left to go.
            if (i % 4 === 1) expect((await post(app, late, { wait: false })).status).toBe(201);
          }
        })();
        const [report] = await Promise.all([applyRetention(db, { cutoff: CUTOFF, chunkSize: 2 }), arrivals]);
        expect(report!.counts.runs).toBeGreaterThan(0);
      } finally {
        await normalizer.stop();
      }
      await normalizer.drain();
      // Nothing dangles: every facet's value is there, every run has events, every run event its run.
      expect(await count(db, 'facets f', 'not exists (select 1 from facet_values v where v.id = f.value_id)')).toBe(0);
      expect(await count(db, 'runs r', 'not exists (select 1 from lineage_events e where e.run_id = r.id)')).toBe(0);
      expect(await count(db, 'lineage_events e', "e.kind = 'run' and not exists (select 1 from runs r where r.id = e.run_id)")).toBe(0);
      // And what is left is what replaying the events left makes of them.
      const live = await snapshot(db);
      await replayEvents(db, { rebuild: true });
      const replayed = await snapshot(db);
      for (const table of ['lineage_events', 'runs', 'run_io', 'dataset_versions', 'job_versions', 'job_version_io', 'facets']) {
        expect(replayed[table], table).toEqual(live[table]);
      }
    },
  );

  it.runIf(database.name === 'postgres')('runs one pass at a time: a second instance skips its turn', async () => {
    const { db, url } = ctx();
    const other = openPostgres(url!, { max: 1 });
    try {
      // Another instance's pass holds the lock (LOCKS.retentionPass, db/locks.ts).
      await other.transaction(async (query) => {
        await query(sql`select pg_advisory_xact_lock(7302184553)`);
        expect(await applyRetention(db, { cutoff: CUTOFF })).toBeUndefined();
      });
      expect(await applyRetention(db, { cutoff: CUTOFF })).toBeDefined();
    } finally {
      await other.close();
    }
  });
});

describe.each(databases)('retention and the MLflow tracking store on $name', (database) => {
  const ctx = useDatabase(database);
  const { call } = apiCalls(() => ctx().app);

  it('keeps the lineage of the runs the tracking store still holds, however old', async () => {
    const { db } = ctx();
    const { experiment_id } = await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'old-experiments' });
    const ids: string[] = [];
    for (const day of ['2026-01-15', '2026-01-16']) {
      const { run } = await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id, start_time: Date.parse(`${day}T10:00:00Z`) });
      ids.push(run.info.run_id);
    }
    const olIds = ids.map((id) => id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'));
    for (const id of olIds) expect(await count(db, 'lineage_events', `run_id = '${id}'`)).toBeGreaterThan(0);
    const report = (await applyRetention(db, { cutoff: CUTOFF }))!;
    expect(report.counts.runs).toBe(0);
    // The first is not its job's latest run: the tracking store alone keeps it.
    for (const id of olIds) {
      expect(await count(db, 'runs', `id = '${id}'`)).toBe(1);
      expect(await count(db, 'lineage_events', `run_id = '${id}'`)).toBeGreaterThan(0);
    }
  });
});
