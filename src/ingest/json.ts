import type { Deviation } from '../core/errors';
import { pointer } from '../core/json';

/**
 * Deeper nesting than this is refused. V8's JSON.parse is iterative and copes with any depth, but
 * JSON.stringify, the validators and Postgres' jsonb parser are recursive and would overflow.
 */
export const MAX_DEPTH = 256;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: Deviation };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly: bytes that are not UTF-8 are refused rather than replaced. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Whether any container is nested deeper than `max`. Iterative, and allocates only its stack. */
function deeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const k in node) {
        const child: unknown = (node as Record<string, unknown>)[k];
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/**
 * Whether `text` has more than `max` opening brackets, which any value nested deeper than `max` needs (the
 * brackets inside strings count too: an upper bound). Counting them costs a fifth of walking the parsed
 * value, and most events have a few dozen: the walk is then skipped.
 */
function bracketsOver(text: string, max: number): boolean {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) if (++n > max) return true;
  }
  return false;
}

/**
 * The path to the first container nested deeper than `max`, or undefined: the same walk as deeperThan,
 * keeping the way back to each container, run only once deeperThan found one (the error names it).
 */
function tooDeep(value: unknown, max: number): (string | number)[] | undefined {
  const stack: { node: object; depth: number; parent: number; key: string | number }[] = [];
  const paths: { parent: number; key: string | number }[] = [];
  if (typeof value !== 'object' || value === null) return undefined;
  stack.push({ node: value, depth: 1, parent: -1, key: '' });
  while (stack.length > 0) {
    const { node, depth, parent, key } = stack.pop()!;
    const here = paths.push({ parent, key }) - 1;
    if (depth > max) {
      const path: (string | number)[] = [];
      for (let i = here; i > 0; i = paths[i]!.parent) path.unshift(paths[i]!.key);
      return path;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1, parent: here, key: i });
      }
    } else {
      for (const k in node) {
        const child: unknown = (node as Record<string, unknown>)[k];
        if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1, parent: here, key: k });
      }
    }
  }
  return undefined;
}

export function parseJson(text: string): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { pointer: '', message: `not valid JSON: ${(e as Error).message}` } };
  }
  const deep = bracketsOver(text, MAX_DEPTH) && deeperThan(value, MAX_DEPTH) ? tooDeep(value, MAX_DEPTH) : undefined;
  if (deep) {
    return { ok: false, error: { pointer: pointer(...deep.slice(0, MAX_DEPTH)), message: `JSON nested deeper than ${MAX_DEPTH} levels` } };
  }
  return { ok: true, value };
}
