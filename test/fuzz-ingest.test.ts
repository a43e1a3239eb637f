import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rng } from '../bench/synthetic-graph';
import { rows } from '../src/db/client';
import { databases, useDatabase } from './support/databases';
import { corpusFiles, corpusText, post } from './support/events';
import { eventually } from './support/eventually';
import { members } from './support/members';

/**
 * Real events bent the ways producers and proxies bend them: keys dropped, values of another type, NULs and
 * lone surrogates, keys too long for an index, nesting too deep, times without a zone or out of range, ids
 * that are not UUIDs, two thousand inputs. Each is posted through the real app, which must answer 201 or a
 * 400 that points at what it refused: never a 5xx. What it accepted must be normalized (none set aside),
 * and every listing, entity and graph over what it stored must still answer.
 *
 * The mutations are drawn from a fixed seed, so a failure names the event that caused it and recurs
 * (`FUZZ_SEED=n` draws others).
 */
const EVENTS = 300;
const SEED = Number(process.env.FUZZ_SEED) || 20261205;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const nested = (depth: number): Json => {
  const root: { [k: string]: Json } = {};
  let at = root;
  for (let i = 0; i < depth; i++) {
    const next: { [k: string]: Json } = {};
    at.a = next;
    at = next;
  }
  return root;
};

/** Values producers have been seen to send where something else belongs, and some they might. */
const ODD_VALUES: (() => Json)[] = [
  () => null,
  () => 0,
  () => -1.5e308,
  () => true,
  () => '',
  () => 'x'.repeat(20_000),
  () => 'a\u0000b',
  () => '\ud800',
  () => 'x\udc00y',
  () => '😀'.repeat(300),
  () => [],
  () => [1, 'a', null, {}],
  () => ({}),
  () => ({ ['k'.repeat(300)]: 1 }),
  () => nested(40),
  () => nested(300),
  () => '2024-13-45T99:99:99Z',
  () => '2024-01-01T00:00:00',
  () => '+275760-09-13T00:00:00Z',
  () => '0000-01-01T00:00:00Z',
  () => 1700000000,
  () => 'NOT-A-UUID',
  () => '{01932F2E-0000-7000-8000-000000000000}',
  () => '01932F2E-0000-7000-8000-00000000000A',
  () => 'start',
  () => ({ runId: 123 }),
  () => ({ fields: 'x' }),
  () => ({ fields: [1, 2, { name: null }] }),
  () => ({ fields: [{ name: 'a', fields: [{ name: 'b', fields: 'z' }] }] }),
  () => ({ _producer: 5, _schemaURL: {} }),
  () => Array.from({ length: 2000 }, (_, i) => ({ namespace: 'fuzz', name: `d${i}` })),
  () => 'n'.repeat(3000),
  () => 's3://bucket/key with space/%41',
];

/** One to three mutations of `event` (a copy); sometimes a fresh runId, so that runs do not all merge. */
function mutated(event: Json, next: () => number): Json {
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)]!;
  const copy = structuredClone(event);
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
    const all = members(copy);
    if (all.length === 0) break;
    const [container, key] = pick(all);
    const roll = next();
    if (roll < 0.25) {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
    } else if (roll < 0.9) container[key] = pick(ODD_VALUES)();
    else if (!Array.isArray(container)) container[`${key}_extra`] = pick(ODD_VALUES)();
  }
  const run = (copy as { run?: Json }).run;
  if (next() < 0.3 && run && typeof run === 'object' && !Array.isArray(run)) run.runId = randomUuid(next);
  return copy;
}

const randomUuid = (next: () => number) => '0193xxxx-xxxx-7xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(next() * 16).toString(16));

interface Answer {
  id?: string;
  warnings?: { pointer: string; message: string }[];
  errors?: { pointer: string; message: string }[];
}

describe.each(databases)('mutated corpus events on $name', (database) => {
  const ctx = useDatabase(database);

  it(`answers ${EVENTS} mutated events 201 or 400 with pointers, normalizes every one it accepted, and still reads`, async () => {
    const { app, db, normalizer } = ctx();
    const corpus = corpusFiles()
      .map((f) => JSON.parse(corpusText(f)) as Json)
      .filter((e) => e !== null && typeof e === 'object' && !Array.isArray(e));
    const next = rng(SEED);
    const accepted: string[] = [];
    const statuses: Record<number, number> = {};
    for (let i = 0; i < EVENTS; i++) {
      const body = JSON.stringify(mutated(corpus[Math.floor(next() * corpus.length)]!, next));
      const res = await post(app, body, { wait: false });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const answer = (await res.json()) as Answer;
      const what = `event ${i} (seed ${SEED}): ${res.status} ${JSON.stringify(answer).slice(0, 300)}\n${body.slice(0, 600)}`;
      expect([201, 400], what).toContain(res.status);
      for (const d of [...(answer.warnings ?? []), ...(answer.errors ?? [])]) expect(d.pointer, what).toMatch(/^(\/.*)?$/);
      if (res.status === 201) accepted.push(answer.id!);
      else expect(answer.errors?.length ?? 0, what).toBeGreaterThan(0);
    }
    // Both answers occur: the mutations are neither all harmless nor all fatal.
    expect(statuses[201]).toBeGreaterThan(EVENTS / 4);
    expect(statuses[400]).toBeGreaterThan(EVENTS / 10);

    // Drained here, and on the Worker also by its own `waitUntil`, whose batch may hold events a drain
    // passes by (SKIP LOCKED): until the queue is empty.
    await eventually(async () => {
      await normalizer.drain();
      const [queued] = await rows<{ n: number }>(db.orm, sql`select count(*)::int as n from pending_events`);
      return queued!.n === 0;
    });
    const distinct = [...new Set(accepted)];
    const [stored] = await rows<{ n: number }>(
      db.orm,
      sql`select count(*)::int as n from lineage_events where id = any(${`{${distinct.join(',')}}`}::uuid[])`,
    );
    expect(stored!.n).toBe(distinct.length);
    const failed = (await (await app.request('/api/v1/events/failed')).json()) as { totalCount: number; failed: unknown[] };
    expect(failed.failed, JSON.stringify(failed.failed).slice(0, 2000)).toEqual([]);

    // Every namespace's jobs and datasets, each of them and its lineage: any status but a 5xx.
    const read = async (path: string) => {
      const res = await app.request(path);
      expect(res.status, `${path}: ${(await res.clone().text()).slice(0, 300)}`).toBeLessThan(500);
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    };
    const e = encodeURIComponent;
    const namespaces = ((await read('/api/v1/namespaces?limit=1000'))?.namespaces ?? []) as { name: string }[];
    expect(namespaces.length).toBeGreaterThan(5);
    for (const { name: ns } of namespaces) {
      for (const { name } of ((await read(`/api/v1/namespaces/${e(ns)}/jobs?limit=100`))?.jobs ?? []) as { name: string }[]) {
        await read(`/api/v1/namespaces/${e(ns)}/jobs/${e(name)}`);
        await read(`/api/v1/namespaces/${e(ns)}/jobs/${e(name)}/runs?limit=5`);
        await read(`/api/v1/lineage?nodeId=${e(`job:${ns}:${name}`)}&depth=2`);
      }
      for (const { name } of ((await read(`/api/v1/namespaces/${e(ns)}/datasets?limit=100`))?.datasets ?? []) as { name: string }[]) {
        await read(`/api/v1/namespaces/${e(ns)}/datasets/${e(name)}`);
        await read(`/api/v1/namespaces/${e(ns)}/datasets/${e(name)}/versions?limit=5`);
        await read(`/api/v1/lineage?nodeId=${e(`dataset:${ns}:${name}`)}&depth=2`);
        await read(`/api/v1/column-lineage?nodeId=${e(`dataset:${ns}:${name}`)}&depth=2`);
      }
    }
    for (const q of ['a', '%', '_', '\\', "'", '😀']) await read(`/api/v1/search?q=${e(q)}`);
    await read('/api/v1/producers/report');
  }, 180_000);
});
