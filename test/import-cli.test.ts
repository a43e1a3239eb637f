import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPglite } from '../src/db/pglite';
import { ingestPipeline } from '../src/ingest/pipeline';
import { openDatabase } from '../src/service';
import { pedigree } from './support/cli';
import { corpusFiles, corpusText, post } from './support/events';
import { runStory } from './support/run-events';
import { snapshot } from './support/snapshot';

const withoutSpace = (rows: unknown[]) => rows.map((r) => ({ ...(r as object), raw: String((r as { raw: string }).raw).trim() }));

describe('pedigree import', () => {
  let dir: string;
  /** A migrated, empty embedded database, copied for each run: initdb is paid once. */
  const fresh = async (name: string) => {
    await cp(join(dir, 'empty'), join(dir, name), { recursive: true });
    return join(dir, name);
  };
  let source: string;
  let sourceState: Record<string, unknown[]>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pedigree-import-'));
    const empty = await openDatabase({ dataDir: join(dir, 'empty'), databaseUrl: undefined, databasePoolSize: 1 });
    await migrate(empty, await readMigrations());
    await empty.close();
    source = await fresh('source');
    const db = await openPglite(source);
    const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
    for (const file of corpusFiles()) await post(app, corpusText(file));
    for (const event of runStory().events) await post(app, event);
    sourceState = await snapshot(db);
    await db.close();
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what export wrote: the same events under the same ids, normalized the same', async () => {
    const exported = await pedigree(source, ['export']);
    expect(exported.code).toBe(0);
    const file = join(dir, 'events.json');
    await writeFile(file, exported.stdout);

    const target = await fresh('round-trip');
    const imported = await pedigree(target, ['import', file]);
    const n = sourceState.lineage_events!.length;
    expect(imported.stdout).toContain(`(JSON): ${n} events, ${n} stored, 0 rejected`);
    expect(imported.code).toBe(0);
    const db = await openPglite(target);
    const state = await snapshot(db);
    await db.close();
    expect(withoutSpace(state.lineage_events!)).toEqual(withoutSpace(sourceState.lineage_events!));
    for (const table of Object.keys(sourceState).filter((t) => t !== 'lineage_events'))
      expect(state[table], table).toEqual(sourceState[table]);

    // The same export gzipped, from stdin: recognised by its magic bytes, its format by its first byte.
    const again = await pedigree(target, ['import', '-'], gzipSync(exported.stdout));
    expect(again.stdout).toContain(`stdin (JSON): ${n} events, ${n} stored, 0 rejected`);
    expect(again.code).toBe(0);
  }, 300_000);

  it('names the broken line of an NDJSON file, stores the others, and exits 1', async () => {
    const [first, , third] = runStory().events.map((e) => JSON.stringify(e));
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, `${first}\n{"eventTime": "2024-05-01T10:00:00Z", "run": \n\n${third}\n`);
    const target = await fresh('broken');
    const result = await pedigree(target, ['import', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(NDJSON): 3 events, 2 stored, 1 rejected');
    expect(result.stdout).toMatch(/line 2: not valid JSON/);
    const db = await openPglite(target);
    const state = await snapshot(db);
    await db.close();
    expect(state.lineage_events!.map((e) => (e as { raw: string }).raw).sort()).toEqual([first, third].sort());
  }, 300_000);

  it.each([
    [['import'], 'name one FILE'],
    [['import', '--fast', 'a.json'], 'unknown option --fast'],
    [['import', '/no/such/file.json'], 'cannot read /no/such/file.json'],
  ])(
    'exits 2 on a usage error: %j',
    async (args, message) => {
      const result = await pedigree(join(dir, 'never-created'), args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(existsSync(join(dir, 'never-created'))).toBe(false);
    },
    120_000,
  );
});
