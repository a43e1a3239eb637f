/**
 * Reading a few top-level members of a stored JSON object's text without parsing the rest: a lineage
 * node's document is spliced into the graph's answer as the text it is stored as (lineage.ts), and only its
 * name, namespace and where its namespace ends are needed. The scan stops once the wanted keys are found
 * (both node kinds have them among their first members, before their large ones).
 */

import { type DocText, textOf } from './page';

/** Where a member's value is: `slice(start, end)` of the text (in characters), or of the bytes (in bytes). */
export interface Span {
  start: number;
  end: number;
}

/**
 * A stored JSON text, or its UTF-8 bytes as the driver sent them (page.ts DocText). The scan reads either as
 * it is: every character it looks for is ASCII, and no byte of a multi-byte UTF-8 character is, so the same
 * walk finds the same members, its spans in bytes. Decoding a lineage graph's documents only to find their
 * names took a third of what the graph allocated.
 */
type JsonText = DocText;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** The character code, or byte, at `i` (NaN, or undefined, past the end: neither is any code looked for). */
const code = (text: JsonText, i: number): number => (typeof text === 'string' ? text.charCodeAt(i) : text[i]!);

function skipSpace(text: JsonText, i: number): number {
  while (isSpace(code(text, i))) i++;
  return i;
}

/** The index after the string that opens at `i` (a `"`). */
function stringEnd(text: JsonText, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = code(text, j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new SyntaxError('unterminated string in stored JSON');
}

/** The index after the value that starts at `i`. */
function valueEnd(text: JsonText, i: number): number {
  const first = code(text, i);
  if (first === QUOTE) return stringEnd(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = code(text, j);
      if (c === QUOTE) j = stringEnd(text, j) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated value in stored JSON');
  }
  // A number, true, false or null: up to the next separator.
  let j = i;
  for (
    let c = code(text, j);
    j < text.length && c !== COMMA && c !== CLOSE_BRACE && c !== CLOSE_BRACKET && !isSpace(c);
    c = code(text, ++j)
  );
  return j;
}

/** The text of `[start, end)` of a JSON text or its bytes. */
const sliceOf = (text: JsonText, start: number, end: number): string =>
  textOf(typeof text === 'string' ? text.slice(start, end) : text.subarray(start, end));

/**
 * The spans of the wanted top-level members of the JSON object `text` (valid JSON, as the database keeps
 * it), scanning members in order until all are found; a member absent is absent from the answer.
 */
export function memberSpans(text: JsonText, wanted: readonly string[]): Map<string, Span> {
  const found = new Map<string, Span>();
  let i = skipSpace(text, 0);
  if (code(text, i) !== OPEN_BRACE) throw new SyntaxError('stored JSON is not an object');
  i++;
  while (found.size < wanted.length) {
    i = skipSpace(text, i);
    if (code(text, i) === COMMA) i = skipSpace(text, i + 1);
    if (code(text, i) !== QUOTE) break; // `}`: the end of the object
    const keyEnd = stringEnd(text, i);
    const key = wantedKey(text, i, keyEnd, wanted);
    i = skipSpace(text, keyEnd) + 1; // past the colon
    i = skipSpace(text, i);
    const end = valueEnd(text, i);
    if (key !== undefined && !found.has(key)) found.set(key, { start: i, end });
    i = end;
  }
  return found;
}

/**
 * Which of the wanted keys the key string `[start, end)` (quotes included) is, if any: compared in place,
 * code by code (the wanted keys are ASCII), decoded only when it holds an escape.
 */
function wantedKey(text: JsonText, start: number, end: number, wanted: readonly string[]): string | undefined {
  for (let j = start + 1; j < end - 1; j++) {
    if (code(text, j) === BACKSLASH) {
      const key = JSON.parse(sliceOf(text, start, end)) as string;
      return wanted.includes(key) ? key : undefined;
    }
  }
  next: for (const key of wanted) {
    if (key.length !== end - start - 2) continue;
    for (let k = 0; k < key.length; k++) if (code(text, start + 1 + k) !== key.charCodeAt(k)) continue next;
    return key;
  }
  return undefined;
}

/** A string member's value (undefined when absent or not a string). */
export function stringMember(text: JsonText, spans: Map<string, Span>, key: string): string | undefined {
  const span = spans.get(key);
  if (!span || code(text, span.start) !== QUOTE) return undefined;
  const raw = sliceOf(text, span.start + 1, span.end - 1);
  return raw.includes('\\') ? (JSON.parse(sliceOf(text, span.start, span.end)) as string) : raw;
}
