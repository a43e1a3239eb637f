import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, rows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { apiCalls } from './support/api-calls';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { ORDERS_V22_FIELDS, trainingEvents } from './support/model-story';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/** Tables of the registry that hold rows of a model (every table with a model_name column but the history). */
const HISTORY = new Set(['audit_log', 'deployments']);

async function registryTables(db: Db): Promise<string[]> {
  const found = await rows<{ table_name: string }>(
    db.orm,
    sql`select table_name from information_schema.columns where column_name = 'model_name' and table_schema = current_schema()
      order by table_name`,
  );
  return found.map((r) => r.table_name).filter((t) => !HISTORY.has(t));
}

async function rowsOf(db: Db, table: string, name: string, version?: number): Promise<number> {
  const where = version === undefined ? sql`model_name = ${name}` : sql`model_name = ${name} and version = ${version}`;
  const [r] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`);
  return r!.n;
}

describe.each(databases)('registry integrity on $name', (database) => {
  const ctx = useDatabase(database);

  const { call, mlflow } = apiCalls(() => ctx().app);

  /** A model with something in every table a model or a version owns. */
  async function fullModel(name: string) {
    const runId = randomUUID();
    for (const e of trainingEvents({
      runId,
      mlflowRunId: `exp-${name}`,
      time: '2026-03-01T06:00:00Z',
      ordersVersion: '2.2',
      ordersFields: ORDERS_V22_FIELDS,
      commit: 'abc1234',
      learningRate: '0.1',
      artifact: { namespace: 's3://models', name: `/${name}/1` },
    })) {
      expect((await post(ctx().app, e)).status).toBe(201);
    }
    await mlflow('POST', 'registered-models/create', { name, tags: [{ key: 'team', value: 'growth' }] });
    for (const v of [1, 2]) {
      await mlflow('POST', 'model-versions/create', {
        name,
        source: `s3://models/${name}/${v}`,
        run_id: runId,
        tags: [{ key: 'dataset_version', value: 'orders_v2.2+users_v3.0' }],
      });
      await mlflow('POST', 'registered-models/alias', { name, alias: `a${v}`, version: String(v) });
      await call('POST', `/api/v1/models/${name}/versions/${v}/approvals`, { comment: 'ok' }, 'bob');
      await call('PUT', `/api/v1/models/${name}/versions/${v}/card`, { markdown: `# ${name}` });
      const links = (await call('GET', `/api/v1/models/${name}/versions/${v}/links`)).links as Json[];
      expect(links.length).toBeGreaterThan(0);
      await call('POST', `/api/v1/models/${name}/versions/${v}/links/${links[0]!.id}`, { status: 'confirmed' }, 'dana');
    }
    await call('POST', '/api/v1/deployments', { endpoint: `/${name}`, model: name, version: '2' }, 'carol');
  }

  it('deleting a version removes everything of the version, and only of that version', async () => {
    const { db } = ctx();
    await fullModel('shrinking');
    const tables = await registryTables(db);
    for (const t of tables.filter((t) => t !== 'registered_model_tags')) expect(await rowsOf(db, t, 'shrinking', 1), t).toBeGreaterThan(0);
    await mlflow('DELETE', 'model-versions/delete', { name: 'shrinking', version: '1' });
    for (const t of tables) {
      if (t === 'registered_model_tags') continue;
      expect(await rowsOf(db, t, 'shrinking', 1), t).toBe(0);
      expect(await rowsOf(db, t, 'shrinking', 2), t).toBeGreaterThan(0);
    }
  });

  it('deleting a model leaves no row of it in any registry table, and its history in the audit log', async () => {
    const { db } = ctx();
    await fullModel('doomed');
    const tables = await registryTables(db);
    expect(tables).toEqual(
      expect.arrayContaining([
        'model_aliases',
        'model_approvals',
        'model_cards',
        'model_link_decisions',
        'model_version_tags',
        'model_versions',
        'registered_model_tags',
      ]),
    );
    for (const t of tables) expect(await rowsOf(db, t, 'doomed'), t).toBeGreaterThan(0);
    const historyBefore = await rowsOf(db, 'audit_log', 'doomed');

    await mlflow('DELETE', 'registered-models/delete', { name: 'doomed' });

    for (const t of tables) expect(await rowsOf(db, t, 'doomed'), t).toBe(0);
    const [model] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from registered_models where name = 'doomed'`);
    expect(model!.n).toBe(0);
    // History stays: every entry of the model, and its deletion.
    const history = await rows<{ action: string }>(db.orm, sql`select action from audit_log where model_name = 'doomed' order by seq`);
    expect(history).toHaveLength(historyBefore + 1);
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['model.registered', 'version.approved', 'link.confirmed']));
    expect(history.at(-1)).toEqual({ action: 'model.deleted' });
    expect(await rowsOf(db, 'deployments', 'doomed')).toBe(1);
    // The same name registered again starts afresh.
    await mlflow('POST', 'registered-models/create', { name: 'doomed' });
    expect((await mlflow('POST', 'model-versions/create', { name: 'doomed', source: 's3://x/y' })).model_version.version).toBe('1');
  });

  it('keeps the audit log append-only, deletions of models included', async () => {
    const { db } = ctx();
    const [before] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from audit_log`);
    expect(before!.n).toBeGreaterThan(0);
    for (const statement of [
      sql`update audit_log set actor = 'mallory'`,
      sql`delete from audit_log where model_name = 'doomed'`,
      sql`truncate audit_log`,
    ]) {
      await expect(db.transaction((q) => q(statement))).rejects.toThrow(/append-only/);
    }
    const [after] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from audit_log`);
    expect(after!.n).toBe(before!.n);
  });
});

describe.each(databases)('the registry foreign keys migrating a database with data, on $name', (database) => {
  it('removes rows that belong to nothing, keeps the rest and the audit log, then cascades', async () => {
    const { db, drop } = await database.open();
    try {
      const migrations = await readMigrations();
      const at = migrations.findIndex((m) => m.tag === '0006_registry_cascades');
      expect(at).toBeGreaterThan(0);
      await migrate(db, migrations.slice(0, at));
      // A model with a version, and rows left behind by deletions made before the foreign keys existed.
      await db.orm.execute(sql`insert into registered_models (name, created_at, updated_at) values ('kept', now(), now())`);
      await db.orm.execute(sql`insert into model_versions (model_name, version, status, stage, source_dataset_ids, created_at, updated_at)
        values ('kept', 1, 'READY', 'None', '{}', now(), now()), ('gone', 1, 'READY', 'None', '{}', now(), now())`);
      await db.orm.execute(sql`insert into registered_model_tags values ('kept', 'k', 'v'), ('gone', 'k', 'v')`);
      await db.orm.execute(sql`insert into model_version_tags values ('kept', 1, 'k', 'v'), ('kept', 2, 'k', 'v'), ('gone', 1, 'k', 'v')`);
      await db.orm.execute(sql`insert into model_aliases values ('kept', 'champion', 1, now()), ('kept', 'old', 7, now())`);
      await db.orm.execute(sql`insert into model_approvals values ('kept', 1, 'bob', null, now()), ('kept', 3, 'bob', null, now())`);
      await db.orm.execute(sql`insert into model_cards values ('kept', 1, '#', '{}', 'a', now()), ('gone', 1, '#', '{}', 'a', now())`);
      await db.orm.execute(sql`insert into model_link_decisions values (${randomUUID()}, 'kept', 1, 'confirmed', 'a', null, now()),
        (${randomUUID()}, 'kept', 9, 'rejected', 'a', null, now())`);
      await db.orm.execute(
        sql`insert into audit_log (actor, action, model_name, version, detail) values ('a', 'model.deleted', 'gone', null, '{}')`,
      );

      await migrate(db, migrations);

      for (const t of [
        'model_versions',
        'registered_model_tags',
        'model_version_tags',
        'model_aliases',
        'model_approvals',
        'model_cards',
        'model_link_decisions',
      ]) {
        const left = await rows<{ model_name: string; version?: number }>(db.orm, sql`select * from ${sql.identifier(t)}`);
        expect(
          left.map((r) => `${r.model_name}/${r.version ?? ''}`),
          t,
        ).toEqual([t === 'registered_model_tags' ? 'kept/' : 'kept/1']);
      }
      const [audit] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from audit_log`);
      expect(audit!.n).toBe(1);
      // And from now on the database keeps it so.
      await db.orm.execute(sql`delete from registered_models where name = 'kept'`);
      const [left] = await rows<{ n: number }>(
        db.orm,
        sql`select (select count(*) from model_versions) + (select count(*) from model_version_tags) + (select count(*) from model_cards)
          + (select count(*) from registered_model_tags) + (select count(*) from model_link_decisions) as n`,
      );
      expect(Number(left!.n)).toBe(0);
      await expect(db.orm.execute(sql`insert into model_cards values ('nobody', 1, '#', '{}', 'a', now())`)).rejects.toThrow();
    } finally {
      await drop();
    }
  });
});
