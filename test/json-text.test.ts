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
});
