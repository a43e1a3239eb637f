import { invalid } from '../core/errors';

/**
 * MLflow's search filters, parsed as its server parses them (mlflow/utils/search_utils.py on sqlparse):
 * comparisons `<identifier> <comparator> <value>` joined by AND. An identifier is a name or dotted names
 * (`tags.mlflow.prompt.is_prompt`), each part bare, backquoted or double-quoted. Values are quoted with
 * ' or " and taken verbatim between the quotes, as MLflow takes them (it unescapes nothing: `'it''s'` is
 * the text `it''s`), numbers, or a parenthesized list. Refusals are MLflow's INVALID_PARAMETER_VALUE with
 * its messages.
 *
 * This file knows the syntax; what an identifier names (`tags.k`, `metrics.k`, an attribute), which
 * values and comparators each search accepts, is each search's (the registry's below and in
 * mlflow-filter.ts; runs, experiments and logged models in src/tracking/), as MLflow checks them after
 * parsing.
 */
export type Value =
  /** Quoted: sqlparse's single-quoted string or double-quoted symbol, both stripped by MLflow. */
  | { kind: 'string'; text: string; raw: string }
  /** An unquoted word: MLflow's "not quoted" refusal where it wants a string. */
  | { kind: 'bare'; text: string; raw: string }
  | { kind: 'number'; text: string; raw: string }
  /** `problem`: why MLflow refuses the list as one of strings, once a search reads it as one. */
  | { kind: 'list'; items: string[]; raw: string; problem?: string };

/** One comparison before the search names its identifier. */
export interface Clause {
  identifier: string;
  /** Upper case: `=`, `!=`, `<`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, … */
  comparator: string;
  /** As written (`like`): some of MLflow's searches do not upper-case it. */
  written: string;
  value: Value;
}

export interface Comparison<T extends string = 'attribute' | 'tag'> {
  type: T;
  key: string;
  comparator: string;
  value: Value;
}

type Token = { t: 'ident' | 'string' | 'number' | 'op' | 'word'; text: string; raw: string; at: number; end: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL']);
/** One identifier part: a name, or a backquoted or double-quoted key. */
const PART = String.raw`(?:[A-Za-z_][\w]*|\x60[^\x60]*\x60|"[^"]*")`;
const LEXEMES: [Token['t'] | 'space', RegExp][] = [
  ['space', /\s+/y],
  ['string', /'(?:''|\\.|[^'\\])*'/y],
  ['ident', new RegExp(String.raw`(?:[A-Za-z_][\w]*|\x60[^\x60]*\x60)(?:\.${PART})*`, 'y')],
  // A double-quoted text alone is a value (sqlparse reads it as a symbol, MLflow strips its quotes).
  ['string', /"(?:""|\\.|[^"\\])*"/y],
  // sqlparse's numbers: `5`, `-1.5`, `5.`, `.5`, `1e3` (no `+` in the exponent).
  ['number', /-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE]-?\d+)?/y],
  ['op', /==|!=|<>|>=|<=|=|<|>|\(|\)|,/y],
];

const fail = (message: string) => invalid('/filter', message);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let at = 0;
  next: while (at < text.length) {
    for (const [t, re] of LEXEMES) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m) continue;
      const start = at;
      at = re.lastIndex;
      if (t === 'space') continue next;
      const word = t === 'ident' && KEYWORDS.has(m[0].toUpperCase());
      out.push({ t: word ? 'word' : t, text: word ? m[0].toUpperCase() : m[0], raw: m[0], at: start, end: at });
      continue next;
    }
    throw fail(`Invalid filter '${text}'. Could not be parsed.`);
  }
  return out;
}

const isQuoted = (v: string, q: string) => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
/** MLflow's `_strip_quotes`: one pair of ' or " around the text. */
export const stripQuotes = (v: string) => (isQuoted(v, "'") || isQuoted(v, '"') ? v.slice(1, -1) : v);
/** MLflow's `_trim_backticks`. */
export const trimBackticks = (v: string) => (isQuoted(v, '`') ? v.slice(1, -1) : v);

const isOp = (t: Token | undefined, text: string) => t?.t === 'op' && t.text === text;

/** The comparator at `i` (upper case, and as written) and the index after it, or undefined. */
function comparatorAt(tokens: Token[], i: number): [string, string, number] | undefined {
  const a = tokens[i];
  if (a?.t === 'op' && !'(),'.includes(a.text)) return [a.text, a.text, i + 1];
  if (a?.t === 'word' && (a.text === 'LIKE' || a.text === 'ILIKE' || a.text === 'IN')) return [a.text, a.raw, i + 1];
  if (a?.t === 'word' && a.text === 'NOT' && tokens[i + 1]?.t === 'word' && tokens[i + 1]!.text === 'IN')
    return ['NOT IN', 'NOT IN', i + 2];
  return undefined;
}

function valueAt(filter: string, tokens: Token[], i: number, clause: string): [Value, number] {
  const a = tokens[i];
  if (a?.t === 'string') return [{ kind: 'string', text: a.text.slice(1, -1), raw: a.text }, i + 1];
  if (a?.t === 'number') return [{ kind: 'number', text: a.text, raw: a.text }, i + 1];
  if (a?.t === 'ident') return [{ kind: 'bare', text: a.text, raw: a.text }, i + 1];
  if (a && isOp(a, '(')) {
    const items: string[] = [];
    let strings = true;
    let j = i + 1;
    while (tokens[j] && !isOp(tokens[j], ')')) {
      const item = tokens[j]!;
      if (item.t === 'string') items.push(item.text.slice(1, -1));
      else strings = false;
      j++;
      if (isOp(tokens[j], ',')) j++;
    }
    if (!tokens[j]) throw fail(`Invalid filter. Could not be parsed: an unclosed list in ${clause}`);
    const raw = filter.slice(a.at, tokens[j]!.end);
    const problem = !strings
      ? `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${raw}`
      : items.length === 0
        ? 'While parsing a list in the query, expected a non-empty list of string values, but got empty list'
        : undefined;
    return [{ kind: 'list', items, raw, ...(problem ? { problem } : {}) }, j + 1];
  }
  throw fail(`Invalid comparison clause. Expected value token found '${a?.text ?? ''}'`);
}

export interface ClauseOptions {
  /**
   * `between`: exactly one AND between comparisons (the registry's searches). `anywhere`: ANDs are
   * separators wherever they are, even missing, as MLflow's run and experiment searches read sqlparse's
   * tokens; anything else is refused with `invalid(tokens)`.
   */
  ands: 'between' | 'anywhere';
  invalid?: (tokens: string[]) => string;
}

/** The comparisons of `filter` (none when it is empty), their identifiers not yet read. */
export function parseClauses(filter: string | undefined, options: ClauseOptions): Clause[] {
  if (!filter?.trim()) return [];
  const tokens = tokenize(filter);
  const rest = (i: number) =>
    `Invalid clause(s) in filter string: ${tokens
      .slice(i)
      .map((t) => t.text)
      .join(' ')}`;
  const out: Clause[] = [];
  const stray: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const left = tokens[i]!;
    if (options.ands === 'anywhere' && left.t === 'word' && left.text === 'AND') {
      i++;
      continue;
    }
    let comparator = left.t === 'ident' ? comparatorAt(tokens, i + 1) : undefined;
    // sqlparse makes a comparison of IN only with a parenthesized list.
    if (options.ands === 'anywhere' && comparator?.[0].endsWith('IN') && !isOp(tokens[comparator[2]], '(')) comparator = undefined;
    if (!comparator) {
      if (options.ands === 'between') {
        if (left.t !== 'ident') throw fail(rest(i));
        throw fail(`Invalid comparison clause. Expected comparison found '${tokens[i + 1]?.text ?? ''}'`);
      }
      stray.push(left.raw);
      i++;
      continue;
    }
    const [op, written, afterOp] = comparator;
    const [value, afterValue] = valueAt(filter, tokens, afterOp, left.text);
    out.push({ identifier: left.text, comparator: op, written, value });
    i = afterValue;
    if (options.ands === 'between' && i < tokens.length) {
      if (tokens[i]!.t !== 'word' || tokens[i]!.text !== 'AND') throw fail(rest(i));
      i++;
      if (i === tokens.length) throw fail('Invalid clause(s) in filter string: AND');
    }
  }
  if (stray.length > 0) throw fail(options.invalid?.(stray) ?? `Invalid clause(s) in filter string: ${stray.join(', ')}`);
  return out;
}

/** MLflow's refusal of an unquoted word where a string is expected. */
export const notQuoted = (v: Value) =>
  fail(
    `Parameter value is either not quoted or unidentified quote types used for string value ${v.raw}. Use either single or double quotes.`,
  );

/**
 * MLflow's `_parse_run_ids`: the list's strings, those with an upper-case letter (or no letter at all:
 * Python's `str.islower()`) left out, as MySQL would match them whatever their case.
 */
export function lowerCaseItems(v: Extract<Value, { kind: 'list' }>): string[] {
  if (v.problem) throw fail(v.problem);
  return v.items.filter((s) => s === s.toLowerCase() && s !== s.toUpperCase());
}

// ---------------------------------------------------------------------------------------------------------
// The registry's searches (SearchModelUtils, SearchModelVersionUtils)

/** MLflow's `_get_model_search_identifier`: `name`, `attribute.name`, `tag.k`, `tags.k`, `tags.\`k\``. */
function registryIdentifier(text: string, attributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const dot = text.startsWith('`') ? -1 : text.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  let key = text;
  if (dot >= 0) {
    const entity = text.slice(0, dot);
    key = text.slice(dot + 1);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags')
      throw fail(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !attributes.includes(key))
    throw fail(`Invalid attribute key '${key}' specified. Valid keys are '{${attributes.map((a) => `'${a}'`).join(', ')}}'`);
  return { type, key: trimBackticks(stripQuotes(key)) };
}

/** The registry's comparisons of `filter`, with the attributes the search knows. */
export function parseFilter(filter: string | undefined, attributes: readonly string[]): Comparison[] {
  return parseClauses(filter, { ands: 'between' }).map((c) => {
    if (c.value.kind === 'bare') throw notQuoted(c.value);
    if (c.value.kind === 'list' && c.value.problem) throw fail(c.value.problem);
    return { ...registryIdentifier(c.identifier, attributes), comparator: c.comparator, value: c.value };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Order

/**
 * The registry's order_by clause: `<key> [ASC|DESC]`, the key bare or backquoted; the key and whether it
 * is ascending.
 */
export function parseOrderBy(clause: string): { key: string; ascending: boolean } {
  const words = clause.trim().match(/`[^`]*`|"[^"]*"|\S+/g) ?? [];
  if (words.length === 0 || words.length > 2) throw invalid('/order_by', `Invalid order_by clause '${clause}'. Could not be parsed.`);
  const direction = words[1]?.toLowerCase();
  if (direction !== undefined && direction !== 'asc' && direction !== 'desc')
    throw invalid('/order_by', `Invalid ordering key in order_by clause '${clause}'.`);
  return { key: trimBackticks(stripQuotes(words[0]!)), ascending: direction !== 'desc' };
}

/** Python's `shlex.split` (POSIX): words split on blanks, quotes grouping and removed; undefined when a quote is not closed. */
function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word = (word ?? '') + text[++i];
      else word = (word ?? '') + c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) word = (word ?? '') + text[++i];
    else word = (word ?? '') + c;
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * A run or experiment search's order_by clause as MLflow's `_parse_order_by_string` reads it: the
 * identifier (`metrics.\`a b\``, `start_time`) and whether it is ascending. With a direction, the
 * identifier is the first of shlex's words, backquotes read as double quotes.
 */
export function parseOrderClause(clause: string): { identifier: string; ascending: boolean } {
  const unparsable = () => invalid('/order_by', `Invalid order_by clause '${clause}'. Could not be parsed.`);
  const words = shlexSplit(clause.replace(/`/g, '"'));
  if (!words || words.length === 0 || words.length > 2) throw unparsable();
  if (words.length === 1) return { identifier: clause.trim(), ascending: true };
  const direction = words[1]!.toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') throw invalid('/order_by', `Invalid ordering key in order_by clause '${clause}'.`);
  return { identifier: words[0]!, ascending: direction === 'asc' };
}
