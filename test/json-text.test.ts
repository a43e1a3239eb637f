import { describe, expect, it } from 'vitest';
import { memberSpans, stringMember } from '../src/read/json-text';

/** JSON as Postgres's json_build_object writes it: `{"k" : v, "k2" : v2}`. */
const postgresStyle = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(postgresStyle).join(', ')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.entries(v)
          .map(([k, x]) => `${JSON.stringify(k)} : ${postgresStyle(x)}`)
          .join(', ')}}`
      : JSON.stringify(v);

const utf8 = new TextEncoder();
const decoded = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The wanted members as the scan finds them, each value's text parsed; the same from the text's UTF-8 bytes. */
function members(text: string, wanted: string[]) {
  const spans = memberSpans(text, wanted);
  const found = Object.fromEntries([...spans].map(([k, s]) => [k, JSON.parse(text.slice(s.start, s.end))]));
  const bytes = utf8.encode(text);
  const byteSpans = memberSpans(bytes, wanted);
  expect(Object.fromEntries([...byteSpans].map(([k, s]) => [k, JSON.parse(decoded(bytes.subarray(s.start, s.end)))]))).toEqual(found);
  return found;
}

describe('reading top-level members of stored JSON text', () => {
  it('finds members after nested values, strings holding quotes, braces and the key itself, and literals', async () => {
    const value = {
      id: { namespace: 'not this one', name: 'nor this' },
      tricky: 'a "quoted" }] {[ \\ "namespace": "x"',
      n: -1.5e3,
      t: true,
      z: null,
      list: [{ namespace: 'deep' }, ['namespace']],
      name: 'job "1" \\ ✓ 🧬 \u0001',
      namespace: 'ns:with:colons',
      after: 'never read',
    };
    for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2), postgresStyle(value)]) {
      expect(members(text, ['name', 'namespace'])).toEqual({ name: value.name, namespace: value.namespace });
      expect(members(text, ['n', 't', 'z'])).toEqual({ n: -1500, t: true, z: null });
      const spans = memberSpans(text, ['name', 'namespace']);
      expect(stringMember(text, spans, 'name')).toBe(value.name);
      expect(stringMember(text, spans, 'namespace')).toBe(value.namespace);
      // The namespace's value ends where the next member starts: what is spliced after it stays valid JSON.
      const at = spans.get('namespace')!.end;
      expect(JSON.parse(`${text.slice(0, at)},"inserted":1${text.slice(at)}`)).toEqual({ ...value, inserted: 1 });
      // From the bytes: the same values, and the namespace's end in bytes (✓ and the emoji take 3 and 4 before it).
      const bytes = utf8.encode(text);
      const byteSpans = memberSpans(bytes, ['name', 'namespace']);
      expect(stringMember(bytes, byteSpans, 'name')).toBe(value.name);
      expect(stringMember(bytes, byteSpans, 'namespace')).toBe(value.namespace);
      const byteAt = byteSpans.get('namespace')!.end;
      expect(byteAt).toBe(utf8.encode(text.slice(0, at)).length);
      const spliced = `${decoded(bytes.subarray(0, byteAt))},"inserted":1${decoded(bytes.subarray(byteAt))}`;
      expect(JSON.parse(spliced)).toEqual({ ...value, inserted: 1 });
    }
  });

  it('reads an escaped key, leaves out absent members and non-strings, and refuses what is not an object', async () => {
    const text = '{"na\\u006de": "escaped key", "count": 3}';
    expect(members(text, ['name', 'missing'])).toEqual({ name: 'escaped key' });
    expect(stringMember(text, memberSpans(text, ['count']), 'count')).toBeUndefined();
    expect(members('{}', ['name'])).toEqual({});
    expect(() => memberSpans('null', ['name'])).toThrow(SyntaxError);
    expect(() => memberSpans('{"name": "unterminated', ['name'])).toThrow(SyntaxError);
    expect(() => memberSpans(utf8.encode('{"name": "unterminated'), ['name'])).toThrow(SyntaxError);
    expect(() => memberSpans(utf8.encode('[1]'), ['name'])).toThrow(SyntaxError);
    expect(members('{"n": 12}', ['n'])).toEqual({ n: 12 });
  });

  it('reads the same members from text and bytes over many generated objects (keys anywhere, any characters)', () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'Z', ' ', '"', '\\', '/', '{', '}', '[', ']', ':', ',', 'é', '✓', '🧬', '\u0001', '\n', '名'];
    const text = () => Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join('');
    const value = (depth: number): unknown => {
      const kind = next(depth > 2 ? 4 : 6);
      if (kind === 0) return text();
      if (kind === 1) return next(1000) - 500;
      if (kind === 2) return [true, false, null][next(3)];
      if (kind === 3) return next(2) ? 1.5e-7 : -0.25;
      if (kind === 4) return Array.from({ length: next(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: next(4) }, () => [next(3) ? text() : 'name', value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const entries: [string, unknown][] = Array.from({ length: next(6) }, () => [text(), value(0)]);
      entries.splice(next(entries.length + 1), 0, ['name', text()]);
      entries.splice(next(entries.length + 1), 0, ['namespace', text()]);
      const object = Object.fromEntries(entries);
      const json = next(2) ? JSON.stringify(object) : postgresStyle(object);
      const bytes = utf8.encode(json);
      const spans = memberSpans(bytes, ['name', 'namespace']);
      expect(stringMember(bytes, spans, 'name')).toBe(object.name);
      expect(stringMember(bytes, spans, 'namespace')).toBe(object.namespace);
      const at = spans.get('namespace')!.end;
      const spliced = `${decoded(bytes.subarray(0, at))},"inserted":1${decoded(bytes.subarray(at))}`;
      expect(JSON.parse(spliced)).toEqual({ ...object, inserted: 1 });
    }
  });
});
