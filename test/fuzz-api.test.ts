import { describe, expect, it } from 'vitest';
import { rng } from '../bench/synthetic-graph';
import { databases, useDatabase } from './support/databases';
import { corpusFiles, corpusText, post } from './support/events';
import { members } from './support/members';

/**
 * Every operation the OpenAPI document declares, called with what a careless or hostile client sends: path
 * segments, query parameters and bodies of the declared shape with odd members (NULs, lone surrogates,
 * huge numbers, wrong types, long texts), and bodies of no shape at all. Whatever the operation, the
 * answer is anything but a 5xx and comes without a hang. The store holds some of the corpus first, so that
 * names that exist are among the ones tried.
 *
 * Drawn from a fixed seed: a failure names the request, and recurs (`FUZZ_SEED=n` draws others).
 */
const PER_OPERATION = 24;
const SEED = Number(process.env.FUZZ_SEED) || 1205;

const ODD_TEXTS = [
  '',
  'x'.repeat(5000),
  'a\u0000b',
  '\ud800',
  '😀',
  '-1',
  '0',
  '99999999999999999999',
  'NaN',
  '1e309',
  'true',
  'null',
  '%',
  '../..',
  "'; drop table jobs;--",
  '00000000-0000-0000-0000-000000000000',
  'a:b:c',
  ' ',
  '\n',
];

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
};
interface Operation {
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

describe.each(databases)('every declared operation, called carelessly, on $name', (database) => {
  const ctx = useDatabase(database);

  it(`answers ${PER_OPERATION} odd calls of each operation without a 5xx`, async () => {
    const { app } = ctx();
    const names: string[] = [];
    for (const file of corpusFiles().slice(0, 40)) {
      const res = await post(app, corpusText(file));
      if (res.status !== 201) continue;
      const event = JSON.parse(corpusText(file)) as { job?: { namespace?: string; name?: string }; inputs?: { name?: string }[] };
      for (const n of [event.job?.namespace, event.job?.name, event.inputs?.[0]?.name]) if (typeof n === 'string') names.push(n);
    }
    expect(names.length).toBeGreaterThan(20);

    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, Schema> };
    };
    const next = rng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const text = () => (next() < 0.4 ? pick(names) : pick(ODD_TEXTS));
    const odd = (): unknown =>
      pick<() => unknown>([
        text,
        () => -1,
        () => 1e308,
        () => 2 ** 63,
        () => 1.5,
        () => null,
        () => true,
        () => [],
        () => ({}),
        () => [text()],
        () => ({ key: text(), value: text() }),
      ])();
    /** A value of the declared shape, every member plausible (untyped members are texts). */
    const plausible = (schema: Schema | undefined, depth = 0): unknown => {
      if (!schema || depth > 5) return text();
      if (schema.$ref) return plausible(doc.components?.schemas?.[schema.$ref.split('/').pop()!], depth + 1);
      const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
      if (schema.enum) return pick(schema.enum);
      if (type === 'object' || schema.properties) {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(schema.properties ?? {})) if (next() < 0.8) o[k] = plausible(v, depth + 1);
        return o;
      }
      if (type === 'array') return Array.from({ length: 1 + Math.floor(next() * 2) }, () => plausible(schema.items, depth + 1));
      if (type === 'integer' || type === 'number') return pick([0, 1, 2, 10]);
      if (type === 'boolean') return next() < 0.5;
      return next() < 0.7 ? pick(names) : `s${Math.floor(next() * 3)}`;
    };
    /** A plausible value with one or two of its members (at any depth), or itself, made odd. */
    const madeOdd = (schema: Schema | undefined): unknown => {
      const value = plausible(schema);
      if (value === null || typeof value !== 'object') return next() < 0.5 ? odd() : value;
      for (let n = 1 + Math.floor(next() * 2); n > 0; n--) {
        const all = members(value);
        if (all.length === 0) return odd();
        const [container, key] = pick(all);
        container[key] = odd();
      }
      return value;
    };
    // A lone surrogate cannot be percent-encoded as UTF-8: sent as the bytes of one, which are not UTF-8.
    const segment = (v: string) => (v.includes('\ud800') ? '%ED%A0%80' : encodeURIComponent(v));

    let calls = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        for (let i = 0; i < PER_OPERATION; i++) {
          let path = template.replace(/\{[^}]+\}/g, () => segment(text()));
          const query = (op.parameters ?? [])
            .filter((p) => p.in === 'query' && next() < 0.7)
            .map((p) => `${encodeURIComponent(p.name)}=${segment(String(next() < 0.5 ? madeOdd(p.schema) : text()))}`);
          if (query.length) path += `?${query.join('&')}`;
          const schema = op.requestBody?.content?.['application/json']?.schema;
          const init: RequestInit = { method: method.toUpperCase() };
          if (schema || (method !== 'get' && method !== 'delete')) {
            init.headers = { 'content-type': 'application/json' };
            init.body = next() < 0.1 ? pick(['', '{', '[]', 'null', '"x"']) : JSON.stringify(madeOdd(schema));
          }
          const res = await app.request(path, init);
          calls++;
          expect(
            res.status,
            `${init.method} ${path.slice(0, 300)} ${String(init.body ?? '').slice(0, 300)}: ${(await res.text()).slice(0, 300)}`,
          ).toBeLessThan(500);
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
  }, 240_000);
});
