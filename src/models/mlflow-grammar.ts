import { invalid } from '../core/errors';

/**
 * MLflow's search filter for the registry, parsed as its server parses it (mlflow/utils/search_utils.py,
 * SearchModelUtils and SearchModelVersionUtils, on sqlparse): comparisons joined by AND, each
 * `<identifier> <comparator> <value>`. An identifier is an attribute (`name`) or `tag.<key>` / `tags.<key>`
 * (`attribute.<key>` names an attribute too), the key bare, dotted (`tags.mlflow.prompt.is_prompt`),
 * backquoted or double-quoted. Values are quoted with ' or " and taken verbatim between the quotes, as
 * MLflow takes them (it unescapes nothing: `'it''s'` is the text `it''s`). Refusals are MLflow's
 * INVALID_PARAMETER_VALUE with its messages. Which attributes and comparators each search accepts is
 * checked by the store's rules (mlflow-filter.ts), as MLflow's store does after parsing.
 */
export type Value = { kind: 'string'; text: string } | { kind: 'number'; text: string } | { kind: 'list'; items: string[] };

export interface Comparison {
  type: 'attribute' | 'tag';
  key: string;
  /** Upper case: `=`, `!=`, `<`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, … */
  comparator: string;
  value: Value;
}

type Token =
  | { t: 'ident'; text: string }
  | { t: 'string'; text: string }
  | { t: 'number'; text: string }
  | { t: 'op'; text: string }
  | { t: 'word'; text: string };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL']);
/** One identifier part: a name, or a backquoted or double-quoted key. */
const PART = String.raw`(?:[A-Za-z_][\w]*|\x60[^\x60]*\x60|"[^"]*")`;
const LEXEMES: [Token['t'] | 'space', RegExp][] = [
  ['space', /\s+/y],
  ['string', /'(?:''|\\.|[^'\\])*'/y],
  ['ident', new RegExp(String.raw`(?:[A-Za-z_][\w]*|\x60[^\x60]*\x60)(?:\.${PART})*`, 'y')],
  // A double-quoted text alone is a value (sqlparse reads it as a symbol, MLflow strips its quotes).
  ['string', /"(?:""|\\.|[^"\\])*"/y],
  ['number', /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y],
  ['op', /!=|<>|>=|<=|=|<|>|\(|\)|,/y],
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
      at = re.lastIndex;
      if (t === 'space') continue next;
      if (t === 'ident' && KEYWORDS.has(m[0].toUpperCase())) out.push({ t: 'word', text: m[0].toUpperCase() });
      else out.push({ t, text: m[0] } as Token);
      continue next;
    }
    throw fail(`Invalid filter '${text}'. Could not be parsed.`);
  }
  return out;
}

const isQuoted = (v: string, q: string) => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
const trimQuotes = (v: string) => (isQuoted(v, "'") || isQuoted(v, '"') ? v.slice(1, -1) : v);
const trimBackticks = (v: string) => (isQuoted(v, '`') ? v.slice(1, -1) : v);

/** MLflow's `_get_model_search_identifier`: `name`, `attribute.name`, `tag.k`, `tags.k`, `tags.\`k\``. */
function identifier(text: string, attributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
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
  return { type, key: trimBackticks(trimQuotes(key)) };
}

function comparator(tokens: Token[], i: number): [string, number] {
  const a = tokens[i];
  if (a?.t === 'op' && !'(),'.includes(a.text)) return [a.text, i + 1];
  if (a?.t === 'word' && (a.text === 'LIKE' || a.text === 'ILIKE' || a.text === 'IN')) return [a.text, i + 1];
  if (a?.t === 'word' && a.text === 'NOT' && tokens[i + 1]?.t === 'word' && tokens[i + 1]!.text === 'IN') return ['NOT IN', i + 2];
  throw fail(`Invalid comparison clause. Expected comparison found '${a?.text ?? ''}'`);
}

function value(tokens: Token[], i: number, clause: string): [Value, number] {
  const a = tokens[i];
  if (a?.t === 'string') return [{ kind: 'string', text: a.text.slice(1, -1) }, i + 1];
  if (a?.t === 'number') return [{ kind: 'number', text: a.text }, i + 1];
  if (a?.t === 'op' && a.text === '(') {
    const items: string[] = [];
    let j = i + 1;
    while (tokens[j] && !(tokens[j]!.t === 'op' && tokens[j]!.text === ')')) {
      const item = tokens[j]!;
      if (item.t !== 'string')
        throw fail(`While parsing a list in the query, expected string value, punctuation, or whitespace, but got ${item.text}`);
      items.push(item.text.slice(1, -1));
      j++;
      if (tokens[j]?.t === 'op' && tokens[j]!.text === ',') j++;
    }
    if (!tokens[j]) throw fail(`Invalid filter. Could not be parsed: an unclosed list in ${clause}`);
    if (items.length === 0) throw fail('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    return [{ kind: 'list', items }, j + 1];
  }
  if (a?.t === 'ident')
    throw fail(
      `Parameter value is either not quoted or unidentified quote types used for string value ${a.text}. Use either single or double quotes.`,
    );
  throw fail(`Invalid comparison clause. Expected value token found '${a?.text ?? ''}'`);
}

/** The comparisons of `filter` (none when it is empty), with the attributes the search knows. */
export function parseFilter(filter: string | undefined, attributes: readonly string[]): Comparison[] {
  if (!filter?.trim()) return [];
  const tokens = tokenize(filter);
  const out: Comparison[] = [];
  let i = 0;
  while (i < tokens.length) {
    const left = tokens[i]!;
    if (left.t !== 'ident')
      throw fail(
        `Invalid clause(s) in filter string: ${tokens
          .slice(i)
          .map((t) => t.text)
          .join(' ')}`,
      );
    const [op, afterOp] = comparator(tokens, i + 1);
    const [v, afterValue] = value(tokens, afterOp, left.text);
    out.push({ ...identifier(left.text, attributes), comparator: op, value: v });
    i = afterValue;
    if (i < tokens.length) {
      if (tokens[i]!.t !== 'word' || tokens[i]!.text !== 'AND')
        throw fail(
          `Invalid clause(s) in filter string: ${tokens
            .slice(i)
            .map((t) => t.text)
            .join(' ')}`,
        );
      i++;
      if (i === tokens.length) throw fail(`Invalid clause(s) in filter string: AND`);
    }
  }
  return out;
}

/**
 * MLflow's order_by clause: `<key> [ASC|DESC]`, the key bare or backquoted; the key and whether it is
 * ascending.
 */
export function parseOrderBy(clause: string): { key: string; ascending: boolean } {
  const words = clause.trim().match(/`[^`]*`|"[^"]*"|\S+/g) ?? [];
  if (words.length === 0 || words.length > 2) throw invalid('/order_by', `Invalid order_by clause '${clause}'. Could not be parsed.`);
  const direction = words[1]?.toLowerCase();
  if (direction !== undefined && direction !== 'asc' && direction !== 'desc')
    throw invalid('/order_by', `Invalid ordering key in order_by clause '${clause}'.`);
  return { key: trimBackticks(trimQuotes(words[0]!)), ascending: direction !== 'desc' };
}
