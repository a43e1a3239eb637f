import type { Deviation } from '../core/errors';
import { pointer } from '../core/json';

/**
 * Postgres refuses \u0000 (in text and jsonb) and lone UTF-16 surrogates (in jsonb). Both are valid JSON
 * and do reach us from real producers (binary data in a facet, a string cut in the middle of an emoji).
 * They are replaced by U+FFFD in the normalized copy, with a warning per place; the verbatim event keeps
 * the original. In valid UTF-8 text they can only arrive as \u escapes, so most events skip the walk.
 */
const MAY_NEED_REPAIR = /\\u(?:0000|d[89a-f])/i;
// A surrogate pair is a well-formed character (Python's json.dumps escapes every emoji as one): only a
// lone surrogate is unstorable.
const unstorable = (s: string) => s.includes('\u0000') || !s.isWellFormed();

const repairString = (s: string) => s.toWellFormed().replace(/\u0000/g, '\ufffd');

/** Any text as Postgres can store it (text and jsonb): NUL characters and lone surrogates become U+FFFD. */
export const storableText = (s: string) => (unstorable(s) ? repairString(s) : s);

/**
 * Warnings as they can be stored (jsonb). A key's own pointer names the key as it was sent, so it resolves
 * in the verbatim event; the stored copy of the warning has U+FFFD there, as the normalized copy does.
 */
export const storableDeviations = (list: Deviation[]): Deviation[] =>
  list.map((d) =>
    unstorable(d.pointer) || unstorable(d.message) ? { pointer: repairString(d.pointer), message: repairString(d.message) } : d,
  );

export function repairUnstorable(value: unknown, rawText: string): Deviation[] {
  if (!MAY_NEED_REPAIR.test(rawText)) return [];
  const found: Deviation[] = [];
  // Iterative walk: nesting is bounded by the parser's depth limit, but a stack of frames is cheaper.
  // Paths hold keys as they were sent, so every pointer resolves in the verbatim event.
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: value, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        if (typeof item === 'string') {
          if (unstorable(item)) {
            node[i] = repairString(item);
            found.push({ pointer: pointer(...path, i), message: 'string holds \\u0000 or a lone surrogate; stored with U+FFFD' });
          }
        } else if (item && typeof item === 'object') stack.push({ node: item, path: [...path, i] });
      });
    } else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        let k = key;
        if (unstorable(key)) {
          k = repairString(key);
          obj[k] = obj[key];
          delete obj[key];
          found.push({ pointer: pointer(...path, key), message: 'key holds \\u0000 or a lone surrogate; stored with U+FFFD' });
        }
        const item = obj[k];
        if (typeof item === 'string') {
          if (unstorable(item)) {
            obj[k] = repairString(item);
            found.push({ pointer: pointer(...path, key), message: 'string holds \\u0000 or a lone surrogate; stored with U+FFFD' });
          }
        } else if (item && typeof item === 'object') stack.push({ node: item, path: [...path, key] });
      }
    }
  }
  return found;
}
