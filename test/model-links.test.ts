import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { ids } from '../src/ids';
import { replayEvents } from '../src/ingest/replay';
import { linkIdOf } from '../src/models/links';
import { apiCalls } from './support/api-calls';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { etlEvents, ORDERS, ORDERS_V21_FIELDS, trainingEvents } from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/**
 * Links are stored and refreshed by whatever changes their evidence: events (ingest), the registry
 * (versions created and deleted, their dataset_version tag, decisions on the versions others are copied
 * from) and replay. Each test uses its own models, artifacts and dataset versions.
 */
describe.each(databases)('stored model links on $name', (database) => {
  const ctx = useDatabase(database);

  const { call, mlflow } = apiCalls(() => ctx().app);
  const register = async (name: string, version: Json) => {
    if ((await ctx().app.request(`/api/2.0/mlflow/registered-models/get?name=${name}`)).status === 404)
      await mlflow('POST', 'registered-models/create', { name });
    return Number((await mlflow('POST', 'model-versions/create', { name, ...version })).model_version.version);
  };
  const links = async (name: string, version = 1): Promise<Json[]> =>
    (await call('GET', `/api/v1/models/${name}/versions/${version}/links`)).links;
  const events = async (list: unknown[]) => {
    for (const e of list) expect((await post(ctx().app, e)).status).toBe(201);
  };
  const train = (runId: string, ordersVersion: string, artifact: string, time = '2026-03-01T06:00:00Z') =>
    events(
      trainingEvents({
        runId,
        mlflowRunId: `exp-${runId.slice(0, 8)}`,
        time,
        ordersVersion,
        ordersFields: ORDERS_V21_FIELDS,
        commit: 'c0ffee1',
        learningRate: '0.1',
        artifact: { namespace: 's3://models', name: artifact },
      }),
    );
  const etl = (ordersVersion: string) => events(etlEvents(randomUUID(), '2026-02-01T01:00:00Z', ordersVersion, ORDERS_V21_FIELDS));
  /** A link as the same evidence gives it whatever the run: what the two arrival orders must agree on. */
  const shape = (l: Json) => ({
    kind: l.kind,
    method: l.method,
    confidence: l.confidence,
    status: l.status,
    dataset: l.dataset && { name: l.dataset.name, version: l.dataset.version.replace(/^5\.[12]$/, '5.x'), known: !!l.dataset.versionId },
  });

  it('writes no link while no version is registered', async () => {
    await etl('4.0');
    await train(randomUUID(), '4.0', '/nobody/1');
    const [n] = await rows<{ n: number }>(ctx().db.orm, sql`select count(*)::int as n from model_version_links`);
    expect(n!.n).toBe(0);
  });

  it('links a version registered before its training events as one registered after them', async () => {
    const early = randomUUID();
    await register('early', { source: 's3://models/early/1', run_id: early });
    expect(await links('early')).toEqual([]);
    await etl('5.1');
    await train(early, '5.1', '/early/1');

    const late = randomUUID();
    await etl('5.2');
    await train(late, '5.2', '/late/1');
    await register('late', { source: 's3://models/late/1', run_id: late });

    const [a, b] = [await links('early'), await links('late')];
    expect(a.map(shape)).toEqual(b.map(shape));
    expect(a.map(shape)).toEqual([
      { kind: 'run', method: 'run_id', confidence: 1, status: 'confirmed', dataset: null },
      {
        kind: 'dataset_version',
        method: 'dataset_version_tag',
        confidence: 0.5,
        status: 'candidate',
        dataset: { name: ORDERS.name, version: '5.x', known: true },
      },
      {
        kind: 'dataset_version',
        method: 'dataset_version_tag',
        confidence: 0.5,
        status: 'candidate',
        dataset: { name: 'public.users', version: '3.0', known: true },
      },
    ]);
    expect(a[0]).toMatchObject({ runId: early, evidence: { runId: early, source: 's3://models/early/1' } });
    expect(b[0]).toMatchObject({ runId: late });
    // Question 1 reads them: the training run and its inputs.
    expect((await call('GET', '/api/v1/models/early/versions/1/lineage')).trainingRuns.map((r: Json) => r.runId)).toEqual([early]);
  });

  it('follows new events: a second writer of the artifact, the registry run id, a dataset version written late', async () => {
    await register('shared', { source: 's3://models/shared/x', run_id: 'exp-shared' });
    const [first, second] = [randomUUID(), randomUUID()];
    await train(first, '6.1', '/shared/x');
    const one = (await links('shared')).filter((l) => l.kind === 'run');
    expect(one).toEqual([
      expect.objectContaining({ runId: first, method: 'artifact', status: 'confirmed', evidence: expect.objectContaining({ writers: 1 }) }),
    ]);
    // The tag names orders at 6.1, which the run read, but no run has written it yet.
    const tagged = () => links('shared').then((ls) => ls.find((l) => l.method === 'dataset_version_tag' && l.dataset.name === ORDERS.name));
    expect(await tagged()).toMatchObject({ dataset: { version: '6.1', versionId: null } });

    await train(second, '6.1', '/shared/x', '2026-03-02T06:00:00Z');
    const two = (await links('shared')).filter((l) => l.kind === 'run');
    expect(two.map((l) => [l.runId, l.method, l.status, l.evidence.writers])).toEqual(
      [first, second].sort().map((id) => [id, 'artifact', 'candidate', 2]),
    );

    // A run carrying the version's registry run id (its tags facet) is a confirmed link.
    const third = randomUUID();
    await events(
      trainingEvents({
        runId: third,
        mlflowRunId: 'exp-shared',
        time: '2026-03-03T06:00:00Z',
        ordersVersion: '6.1',
        ordersFields: ORDERS_V21_FIELDS,
        commit: 'c0ffee2',
        learningRate: '0.2',
        artifact: { namespace: 's3://models', name: '/elsewhere' },
      }),
    );
    expect((await links('shared')).find((l) => l.runId === third)).toMatchObject({
      method: 'registry_run_id',
      status: 'confirmed',
      confidence: 0.95,
      evidence: { registryRunId: 'exp-shared', facet: 'tags' },
    });

    // The ETL run writing orders at 6.1 is linked to no version, yet it names the version read.
    await etl('6.1');
    expect((await tagged())!.dataset.versionId).toEqual(expect.any(String));
  });

  it('names the first run that wrote a tagged dataset version, whatever the order the writers arrive in', async () => {
    await register('first_writer', { tags: [{ key: 'dataset_version', value: 'orders_v10.1' }] });
    const [early, late, later] = [randomUUID(), randomUUID(), randomUUID()];
    const write = (runId: string, time: string) => events(etlEvents(runId, time, '10.1', ORDERS_V21_FIELDS));
    const named = async () => (await links('first_writer'))[0]?.dataset.versionId;
    const versionOf = (runId: string) => ids.datasetVersion(ids.dataset(ORDERS.namespace, ORDERS.name), runId);
    await write(late, '2026-02-10T00:00:00Z');
    expect(await named()).toBe(versionOf(late));
    await write(early, '2026-02-05T00:00:00Z');
    expect(await named()).toBe(versionOf(early));
    await write(later, '2026-02-20T00:00:00Z');
    expect(await named()).toBe(versionOf(early));
  });

  it('follows the registry: a dataset_version tag set and deleted, versions copied from others, a version deleted', async () => {
    await etl('7.1');
    await register('tagged', {});
    expect(await links('tagged')).toEqual([]);
    await mlflow('POST', 'model-versions/set-tag', { name: 'tagged', version: '1', key: 'dataset_version', value: 'orders_v7.1' });
    expect(await links('tagged')).toEqual([
      expect.objectContaining({ method: 'dataset_version_tag', dataset: expect.objectContaining({ name: ORDERS.name, version: '7.1' }) }),
    ]);
    await mlflow('DELETE', 'model-versions/delete-tag', { name: 'tagged', version: '1', key: 'dataset_version' });
    expect(await links('tagged')).toEqual([]);

    // Copies inherit the links of what they were copied from, ×0.95 a hop, even when registered first.
    const run = randomUUID();
    await train(run, '7.1', '/base/1');
    await register('copy2', { source: 'models:/copy/1' });
    await register('base', { run_id: run });
    await register('copy', { source: 'models:/base/1' });
    const inherited = (name: string) => links(name).then((ls) => ls.find((l) => l.runId === run));
    expect(await inherited('copy')).toMatchObject({
      method: 'model_source',
      confidence: 0.95,
      status: 'confirmed',
      evidence: { via: 'models:/base/1', runId: run },
    });
    expect(await inherited('copy2')).toMatchObject({ method: 'model_source', confidence: 0.9025, status: 'confirmed' });
    expect((await call('GET', '/api/v1/models/copy2/versions/1/lineage')).trainingRuns.map((r: Json) => r.runId)).toEqual([run]);
    // Question 2 reads the same links: the copies were trained on the data too.
    const q2 = await call('GET', `/api/v1/namespaces/${encodeURIComponent(ORDERS.namespace)}/datasets/${ORDERS.name}/models?version=7.1`);
    expect(q2.models.map((m: Json) => [m.model, m.version, m.trainingRunId])).toEqual([
      ['base', 1, run],
      ['copy', 1, run],
      ['copy2', 1, run],
    ]);

    // Deleting the source takes what the copies inherited, and the version's own links and tag parts.
    await mlflow('DELETE', 'model-versions/delete', { name: 'base', version: '1' });
    expect(await links('copy')).toEqual([]);
    expect(await links('copy2')).toEqual([]);
    for (const table of ['model_version_links', 'model_version_tag_parts']) {
      const [n] = await rows<{ n: number }>(
        ctx().db.orm,
        sql`select count(*)::int as n from ${sql.identifier(table)} where model_name = 'base'`,
      );
      expect(n!.n, table).toBe(0);
    }
  });

  it('keeps a decision on its link whatever arrives later, and copies inherit decisions', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()].sort();
    await register('decided', { source: 's3://models/decided/x' });
    await train(a!, '8.1', '/decided/x');
    await train(b!, '8.1', '/decided/x', '2026-03-02T06:00:00Z');
    const before = (await links('decided')).filter((l) => l.kind === 'run');
    expect(before.map((l) => [l.runId, l.status])).toEqual([
      [a, 'candidate'],
      [b, 'candidate'],
    ]);
    const base = '/api/v1/models/decided/versions/1/links';
    await call('POST', `${base}/${before[0]!.id}`, { status: 'confirmed' }, 'dana');
    await call('POST', `${base}/${before[1]!.id}`, { status: 'rejected', comment: 'a rerun' }, 'dana');
    await register('decided_copy', { source: 'models:/decided/1' });

    // A third writer: the evidence changes (three writers), the decisions stay on their ids.
    await train(c!, '8.1', '/decided/x', '2026-03-03T06:00:00Z');
    const after = (await links('decided')).filter((l) => l.kind === 'run');
    expect(after.map((l) => [l.id, l.runId, l.status, l.decision?.actor ?? null, l.evidence.writers])).toEqual([
      [before[0]!.id, a, 'confirmed', 'dana', 3],
      [before[1]!.id, b, 'rejected', 'dana', 3],
      [expect.any(String), c, 'candidate', null, 3],
    ]);
    expect((await call('GET', '/api/v1/models/decided/versions/1/lineage')).trainingRuns.map((r: Json) => r.runId)).toEqual([a]);
    // The copy inherits the confirmed and the candidate links, not the rejected one.
    const copied = async () => (await links('decided_copy')).filter((l) => l.kind === 'run').map((l) => [l.runId, l.status]);
    expect(await copied()).toEqual([
      [a, 'confirmed'],
      [c, 'candidate'],
    ]);
    // A decision on the source reaches the copies.
    await call('POST', `${base}/${before[0]!.id}`, { status: 'rejected' }, 'dana');
    expect(await copied()).toEqual([[c, 'candidate']]);
  });

  it('computes link ids in SQL as linkIdOf does, so decisions made before links were stored still apply', async () => {
    const all = await rows<{ name: string; version: number }>(
      ctx().db.orm,
      sql`select model_name as name, version from model_versions order by 1, 2`,
    );
    let checked = 0;
    for (const v of all) {
      for (const l of await links(v.name, v.version)) {
        expect(l.id).toBe(linkIdOf(v, l as never));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('restores every link on replay, from the stored events and the registry', async () => {
    const { db } = ctx();
    const stored = () =>
      rows<Json>(db.orm, sql`select * from model_version_links order by link_id`).then((list) =>
        list.map((r) => ({ ...r, confidence: Number(r.confidence) })),
      );
    const parts = () => rows<Json>(db.orm, sql`select * from model_version_tag_parts order by 1, 2, 3, 4, 5, 6, 7, 8`);
    const [before, partsBefore] = [await stored(), await parts()];
    expect(before.length).toBeGreaterThan(10);
    // Lost or stale links (a bug fixed, a restore from an old backup): replay computes them again.
    await db.orm.execute(sql`delete from model_version_links where model_name <> 'decided'`);
    await db.orm.execute(sql`update model_version_links set status = 'confirmed', evidence = '{}'`);
    await db.orm.execute(sql`delete from model_version_tag_parts`);
    await replayEvents(db, { rebuild: true, batchEvents: 50 });
    expect(await stored()).toEqual(before);
    expect(await parts()).toEqual(partsBefore);
    await replayEvents(db);
    expect(await stored()).toEqual(before);
  });
  it('computes the links of a registry that existed before links were stored, when migrating', async () => {
    const { db } = ctx();
    const stored = () => rows<Json>(db.orm, sql`select * from model_version_links order by link_id`);
    const before = await stored();
    expect(before.filter((l) => l.method === 'model_source').length).toBeGreaterThan(0);
    // The database as it was before migration 0007, with its registry, lineage and decisions; its facets
    // held their values (until 0013).
    await db.orm.execute(sql`drop table model_version_links, model_version_tag_parts`);
    await db.orm.execute(sql`drop index model_versions_source_model_idx`);
    await db.orm.execute(sql`alter table facets add column value jsonb`);
    await db.orm.execute(sql`update facets f set value = v.value from facet_values v where v.id = f.value_id`);
    await db.orm.execute(sql`delete from pedigree_migrations where tag in ('0007_model_links', '0008_links_watch_datasets')`);
    expect(await migrate(db, await readMigrations())).toEqual(['0007_model_links', '0008_links_watch_datasets']);
    await db.orm.execute(sql`alter table facets drop column value`);
    expect(await stored()).toEqual(before);
  });
});
