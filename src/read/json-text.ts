/**
 * Reading a few top-level members of a stored JSON object's text without parsing the rest: a lineage
 * node's document is spliced into the graph's answer as the text it is stored as (lineage.ts), and only its
 * name, namespace and where its namespace ends are needed. The scan stops once the wanted keys are found
 * (both node kinds have them among their first members, before their large ones).
 */

/** Where a member's value is in the text: `text.slice(start, end)` is the value's JSON. */
export interface Span {
  start: number;
  end: number;
}

const QUOTE = 34;
const BACKSLASH = 92;

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string that opens at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new SyntaxError('unterminated string in stored JSON');
}

/** The index after the value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = stringEnd(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated value in stored JSON');
  }
  // A number, true, false or null: up to the next separator.
  let j = i;
  while (j < text.length && !',}] \t\n\r'.includes(text[j]!)) j++;
  return j;
}

/**
 * The spans of the wanted top-level members of the JSON object `text` (valid JSON, as the database keeps
 * it), scanning members in order until all are found; a member absent is absent from the answer.
 */
export function memberSpans(text: string, wanted: readonly string[]): Map<string, Span> {
  const found = new Map<string, Span>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new SyntaxError('stored JSON is not an object');
  i++;
  while (found.size < wanted.length) {
    i = skipSpace(text, i);
    if (text[i] === ',') i = skipSpace(text, i + 1);
    if (text[i] !== '"') break; // `}`: the end of the object
    const keyEnd = stringEnd(text, i);
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    i = skipSpace(text, keyEnd) + 1; // past the colon
    i = skipSpace(text, i);
    const end = valueEnd(text, i);
    if (wanted.includes(key) && !found.has(key)) found.set(key, { start: i, end });
    i = end;
  }
  return found;
}

/** A string member's value (undefined when absent or not a string). */
export function stringMember(text: string, spans: Map<string, Span>, key: string): string | undefined {
  const span = spans.get(key);
  if (!span || text.charCodeAt(span.start) !== QUOTE) return undefined;
  const raw = text.slice(span.start + 1, span.end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(span.start, span.end)) as string) : raw;
}
