import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Query } from './client';
import { arrayLiteral } from './sql';

type Row<T extends PgTable> = T['$inferInsert'];
type Col<T extends PgTable> = keyof Row<T> & string;

/**
 * How rows with the same key merge: `min`/`max` columns fold with LEAST/GREATEST; each group's columns
 * are replaced together by the row whose guard tuple is greatest (nulls lose); every other column keeps
 * the value it was inserted with. Merging is commutative and associative, so the stored state does not
 * depend on the order events arrive in, and the same rule runs in JS (rows of one batch) and in SQL
 * (ON CONFLICT against stored rows): it is written once, here.
 */
export interface MergeRule<T extends PgTable> {
  table: T;
  key: readonly Col<T>[];
  min?: readonly Col<T>[];
  max?: readonly Col<T>[];
  groups?: readonly { guard: readonly Col<T>[]; cols: readonly Col<T>[] }[];
  /** A column to return from the rows actually inserted (for insertNew). */
  returning?: Col<T>;
}

export function mergeRule<T extends PgTable>(rule: MergeRule<T>): MergeRule<T> {
  return rule;
}

type Value = string | number | boolean | null | undefined;

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function guardWins(candidate: Record<string, unknown>, current: Record<string, unknown>, guard: readonly string[]): boolean {
  if (candidate[guard[0]!] == null) return false;
  if (current[guard[0]!] == null) return true;
  for (const g of guard) {
    const c = compare(candidate[g] as Value, current[g] as Value);
    if (c !== 0) return c > 0;
  }
  return false;
}

/** Rows by the value of each key column in turn: one level of maps per column. */
type KeyTree = Map<string, KeyTree | Record<string, unknown>>;

/**
 * Folds rows sharing a key into one, by the rule; output sorted by key (a stable lock order). Keys are
 * looked up column by column in nested maps rather than joined into one string: a joined key is a new
 * string per row that each lookup must first flatten and hash whole. A row is copied only when a second
 * one merges into it, so rows with a key of their own are returned as they came.
 */
export function mergeRows<T extends PgTable>(rule: MergeRule<T>, rows: Row<T>[]): Row<T>[] {
  const columns = rule.key;
  const last = columns.length - 1;
  const min = rule.min ?? [];
  const max = rule.max ?? [];
  const groups = (rule.groups ?? []).map((g) => ({ guard: g.guard, columns: [...g.guard, ...g.cols] }));
  const merges = min.length + max.length + groups.length > 0;
  const root: KeyTree = new Map();
  const copies = new Set<Record<string, unknown>>();
  for (const row of rows as Record<string, unknown>[]) {
    let level = root;
    for (let i = 0; i < last; i++) {
      const k = String(row[columns[i]!]);
      let next = level.get(k) as KeyTree | undefined;
      if (!next) {
        next = new Map();
        level.set(k, next);
      }
      level = next;
    }
    const k = String(row[columns[last]!]);
    let cur = level.get(k) as Record<string, unknown> | undefined;
    if (!cur) {
      level.set(k, row);
      continue;
    }
    if (!merges) continue;
    if (!copies.has(cur)) {
      cur = { ...cur };
      copies.add(cur);
      level.set(k, cur);
    }
    for (const c of min) if (row[c] != null && (cur[c] == null || compare(row[c] as Value, cur[c] as Value) < 0)) cur[c] = row[c];
    for (const c of max) if (row[c] != null && (cur[c] == null || compare(row[c] as Value, cur[c] as Value) > 0)) cur[c] = row[c];
    for (const g of groups) if (guardWins(row, cur, g.guard)) for (const c of g.columns) cur[c] = row[c];
  }
  const out: Record<string, unknown>[] = [];
  const collect = (level: KeyTree, depth: number) => {
    // The default sort compares strings by UTF-16 code units, as `<` does, without calling back into JS.
    for (const k of [...level.keys()].sort()) {
      const v = level.get(k)!;
      if (depth === last) out.push(v as Record<string, unknown>);
      else collect(v as KeyTree, depth + 1);
    }
  };
  collect(root, 0);
  return out as Row<T>[];
}

interface Statement {
  /** Property names, in parameter order. */
  props: string[];
  /** The statement for a given number of rows. */
  text: (rows: number) => string;
  /** The same statement taking its rows as one array parameter per column (see upsert). */
  columnar: string;
}

const statements = new WeakMap<object, Statement>();

/**
 * The rule's INSERT … ON CONFLICT statement, in two forms: VALUES, a parameter per value, and columnar, a
 * text[] parameter per column (upsert). Every value travels as text and is cast in SQL (drivers would
 * otherwise convert timestamps through JS Dates and lose microseconds). VALUES statements are built for
 * power-of-two row counts (see chunks), and for the few sizes up to a caller's `whole`, so a connection
 * prepares a bounded number per table and then pipelines them without a describe round trip. Columns with
 * a database default (received_at) are left to it.
 */
function statementFor<T extends PgTable>(rule: MergeRule<T>): Statement {
  const cached = statements.get(rule);
  if (cached) return cached;
  const table = `"${getTableName(rule.table)}"`;
  const all = getTableColumns(rule.table) as Record<string, PgColumn>;
  const columns = Object.entries(all).filter(([, c]) => !c.hasDefault);
  const name = (prop: string) => `"${all[prop]!.name}"`;
  const ex = (prop: string) => `excluded.${name(prop)}`;
  const own = (prop: string) => `${table}.${name(prop)}`;
  const set: string[] = [];
  const changed: string[] = [];
  for (const c of rule.min ?? []) {
    set.push(`${name(c)} = least(${own(c)}, ${ex(c)})`);
    changed.push(`${ex(c)} < ${own(c)}`, `(${own(c)} is null and ${ex(c)} is not null)`);
  }
  for (const c of rule.max ?? []) {
    set.push(`${name(c)} = greatest(${own(c)}, ${ex(c)})`);
    changed.push(`${ex(c)} > ${own(c)}`, `(${own(c)} is null and ${ex(c)} is not null)`);
  }
  for (const g of rule.groups ?? []) {
    const first = g.guard[0]!;
    const wins = `(${ex(first)} is not null and (${own(first)} is null or (${g.guard.map(ex).join(', ')}) > (${g.guard.map(own).join(', ')})))`;
    for (const c of [...g.guard, ...g.cols]) set.push(`${name(c)} = case when ${wins} then ${ex(c)} else ${own(c)} end`);
    changed.push(wins);
  }
  const conflict = set.length ? `do update set ${set.join(', ')} where ${changed.join(' or ')}` : 'do nothing';
  const insert = `insert into ${table} (${columns.map(([, c]) => `"${c.name}"`).join(', ')})`;
  const tail = ` on conflict (${rule.key.map(name).join(', ')}) ${conflict}${rule.returning ? ` returning ${name(rule.returning)}` : ''}`;
  const types = columns.map(([, c]) => c.getSQLType());
  const texts = new Map<number, string>();
  // DO NOTHING: the rows whose key is stored are left out before their values are cast, not after: a facet
  // value (content-addressed JSON) stored meanwhile was parsed into jsonb only to be dropped at the
  // conflict (4,679 stored values sent again: 490–536 → 192–311 ms). The normalizer sends only the values
  // it did not find stored (ingest/store.ts); this is for the rest, and for other callers.
  const newOnly = () => {
    const x = (prop: string) => `x.c${columns.findIndex(([p]) => p === prop)}`;
    const typed = (prop: string) => `${x(prop)}::${all[prop]!.getSQLType()}`;
    const stored = rule.key.map((k) => `t.${name(k)} = ${typed(k)}`).join(' and ');
    return `${insert} select ${columns.map(([p]) => typed(p)).join(', ')}
      from unnest(${types.map((_, i) => `$${i + 1}::text[]`).join(', ')}) x(${columns.map((_, i) => `c${i}`).join(', ')})
      where not exists (select 1 from ${table} t where ${stored})${tail}`;
  };
  const statement: Statement = {
    props: columns.map(([p]) => p),
    columnar: set.length
      ? `${insert} select * from unnest(${types.map((t, i) => `$${i + 1}::text[]::${t}[]`).join(', ')})${tail}`
      : newOnly(),
    text: (rows) => {
      let text = texts.get(rows);
      if (!text) {
        const tuples: string[] = [];
        for (let r = 0, n = 1; r < rows; r++) tuples.push(`(${types.map((t) => `$${n++}::text::${t}`).join(', ')})`);
        text = `${insert} values ${tuples.join(', ')}${tail}`;
        texts.set(rows, text);
      }
      return text;
    },
  };
  statements.set(rule, statement);
  return statement;
}

const asText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);

const MAX_CHUNK = 256;

/**
 * Splits rows into power-of-two chunks (37 = 32 + 4 + 1), in order, so statement texts repeat; up to
 * `whole` rows stay one chunk of their own size.
 */
function chunks<R>(rows: R[], max = MAX_CHUNK, whole = 1): R[][] {
  if (rows.length <= Math.min(whole, max)) return [rows];
  const out: R[][] = [];
  for (let i = 0; i < rows.length; ) {
    let size = max;
    while (size > rows.length - i) size >>= 1;
    out.push(rows.slice(i, i + size));
    i += size;
  }
  return out;
}

function statementsFor<T extends PgTable>(rule: MergeRule<T>, rows: Row<T>[], maxRows?: number, whole?: number): [string, unknown[]][] {
  const { props, text } = statementFor(rule);
  return chunks(rows as Record<string, unknown>[], maxRows, whole).map((chunk) => {
    const params: unknown[] = [];
    for (const r of chunk) for (const p of props) params.push(asText(r[p]));
    return [text(chunk.length), params];
  });
}

/**
 * Most rows one columnar statement takes. Its arrays' text is bounded by the batch's: a normalization batch
 * takes at most 32 MB of events' text (one larger event goes alone), and escaping into an array literal
 * at most doubles it.
 */
const MAX_COLUMNAR_ROWS = 4096;

/**
 * Inserts rows (merged by the rule, in key order), merging into stored rows by the rule. The rows travel
 * as one text[] parameter per column, unnested in SQL in their order: one short statement per table,
 * prepared once, whatever the number of rows. Against 256-row VALUES lists (one parameter per value) it
 * costs the driver a third less and the server the same (the accepted events, whose text would be
 * escaped into an array, keep the VALUES form: insertStatements). Returns the statements' promises
 * without awaiting them: statements issued together run in order on the transaction's connection, and
 * the driver pipelines them.
 */
export function upsert<T extends PgTable>(query: Query, rule: MergeRule<T>, rows: Row<T>[]): Promise<unknown>[] {
  if (rows.length === 0) return [];
  const { props, columnar } = statementFor(rule);
  const merged = mergeRows(rule, rows) as Record<string, unknown>[];
  const out: Promise<unknown>[] = [];
  for (let i = 0; i < merged.length; i += MAX_COLUMNAR_ROWS) {
    const chunk = merged.slice(i, i + MAX_COLUMNAR_ROWS);
    out.push(
      query.raw(
        columnar,
        props.map((p) => arrayLiteral(chunk.map((r) => asText(r[p])))),
      ),
    );
  }
  return out;
}

/**
 * The rule's statements for `rows` (merged, in key order) as text and parameters, for a caller that builds
 * on them (a data-modifying CTE, ingest/queue.ts): the texts repeat, so they are still prepared once. Up
 * to `whole` rows (within maxRows) take one statement of their own size: one text more per size.
 */
export function insertStatements<T extends PgTable>(
  rule: MergeRule<T>,
  rows: Row<T>[],
  maxRows?: number,
  whole?: number,
): [string, unknown[]][] {
  return rows.length === 0 ? [] : statementsFor(rule, mergeRows(rule, rows), maxRows, whole);
}

/** Inserts the rows whose key is new (a rule with no merge: DO NOTHING); returns the rule's `returning` column of those. */
export async function insertNew<T extends PgTable>(query: Query, rule: MergeRule<T>, values: Row<T>[]): Promise<unknown[]> {
  if (values.length === 0) return [];
  const column = (getTableColumns(rule.table) as Record<string, PgColumn>)[rule.returning!]!.name;
  const inserted = await Promise.all(
    statementsFor(rule, mergeRows(rule, values), query.maxRows).map(([text, params]) => query.raw(text, params)),
  );
  return inserted.flat().map((r) => r[column]);
}
