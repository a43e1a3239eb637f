import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import { textArray } from '../db/sql';
import { lowerCaseItems, notQuoted, type Value } from '../models/mlflow-grammar';

/**
 * What MLflow's tracking searches share (mlflow/utils/search_utils.py, mlflow/store/tracking/
 * sqlalchemy_store.py): how a comparison becomes SQL, view types, limits, and Python's way of printing
 * values in MLflow's messages.
 */
export const fail = (message: string) => invalid('/filter', message);

/** Python's repr, for messages MLflow builds with it (`{order_by}`, `{experiment_ids}`). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    return quote + v.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** A Python set of strings as MLflow prints it (its order is Python's hash order: here, the order given). */
export const pySet = (items: readonly string[]) => `{${items.map((i) => pyRepr(i)).join(', ')}}`;

const NUMERIC_OPS: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * `column <comparator> value` for one of MLflow's comparators (upper case; refused before when the
 * search does not allow it). Text comparisons are PostgreSQL's, as MLflow's store runs them there:
 * `=` and LIKE case-sensitive, ILIKE not (MLflow makes LIKE case-sensitive on every database, SQLite by
 * `PRAGMA case_sensitive_like`).
 */
export function compareText(column: SQL, comparator: string, value: string | readonly string[]): SQL {
  if (typeof value !== 'string') {
    // SQLAlchemy's `in_([])` is false and `~in_([])` true: a list emptied by MLflow's lower-case rule.
    const list = sql`${column} = any(${textArray(value)})`;
    return comparator === 'NOT IN' ? sql`not (${list})` : list;
  }
  switch (comparator) {
    case 'LIKE':
      return sql`${column} like ${value}`;
    case 'ILIKE':
      return sql`${column} ilike ${value}`;
    default:
      // Only = and != reach here for text; the others are refused by each search first.
      return sql`${column} ${sql.raw(NUMERIC_OPS[comparator] ?? '=')} ${value}`;
  }
}

/** `column <comparator> number` for a comparator of NUMERIC_OPS; integers stay bigint, so indexes on bigint columns apply. */
export function compareNumber(column: SQL, comparator: string, text: string): SQL {
  const op = Object.hasOwn(NUMERIC_OPS, comparator) ? NUMERIC_OPS[comparator] : undefined;
  if (!op) throw fail(`Invalid comparator '${comparator}'`);
  const n = Number(text);
  if (Number.isNaN(n)) throw fail(`Expected a number, got ${text}`);
  const value = /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? sql`${text}::bigint` : sql`${String(n)}::numeric`;
  return sql`${column} ${sql.raw(op)} ${value}`;
}

/** Whether `a <comparator> b` holds for numbers (MLflow compares some values it stored in place of others). */
export function holds(a: number, comparator: string, b: number): boolean {
  switch (comparator) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/**
 * SearchUtils._get_value: the value of a comparison as each kind of identifier wants it. `numeric`:
 * a number's text; otherwise a string, or (attributes and datasets) a list.
 */
export function searchValue(
  identifierType: 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset',
  key: string,
  value: Value,
  numeric: boolean,
  listAllowed: boolean,
): string | string[] {
  if (identifierType === 'metric' || (identifierType === 'attribute' && numeric)) {
    if (value.kind === 'number') return value.text;
    throw fail(
      identifierType === 'metric'
        ? `Expected numeric value type for metric. Found ${value.raw}`
        : `Expected numeric value type for numeric attribute: ${key}. Found ${value.raw}`,
    );
  }
  if (value.kind === 'string') return value.text;
  if (value.kind === 'bare') throw notQuoted(value);
  if (value.kind === 'list' && identifierType === 'attribute') {
    if (!listAllowed) throw fail("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    return lowerCaseItems(value);
  }
  if (value.kind === 'list' && identifierType === 'dataset') return lowerCaseItems(value);
  throw fail(
    identifierType === 'attribute'
      ? `Expected a quoted string value for attributes. Got value ${value.raw}`
      : identifierType === 'dataset'
        ? `Expected a quoted string value for dataset attributes. Got value ${value.raw}`
        : `Expected a quoted string value for ${identifierType} (e.g. 'my-value'). Got value ${value.raw}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// View types and limits

const VIEW_TYPES: Record<string, 1 | 2 | 3> = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3, '1': 1, '2': 2, '3': 3 };

/**
 * MLflow's ViewType (ACTIVE_ONLY by default, DELETED_ONLY, ALL), by its proto name or number, as a
 * condition on a `lifecycle_stage` column.
 */
export function viewSql(column: SQL, viewType: string | number | undefined, pointer: string): SQL {
  if (viewType === undefined || viewType === '') return sql`${column} = 'active'`;
  const name = String(viewType).toUpperCase();
  const view = Object.hasOwn(VIEW_TYPES, name) ? VIEW_TYPES[name] : undefined;
  if (!view)
    throw invalid(pointer, `Invalid value ${viewType} for parameter '${pointer.slice(1)}': expected ACTIVE_ONLY, DELETED_ONLY or ALL`);
  return view === 1 ? sql`${column} = 'active'` : view === 2 ? sql`${column} = 'deleted'` : sql`true`;
}

/** MLflow's SEARCH_MAX_RESULTS_THRESHOLD, for runs and experiments. */
export const SEARCH_MAX_RESULTS = 50_000;
/** MLflow's SEARCH_MAX_RESULTS_DEFAULT (the proto default of runs/search; experiments/search clients send it). */
export const SEARCH_DEFAULT_RESULTS = 1000;

/** SqlAlchemyStore._validate_max_results_param. */
export function checkMaxResults(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1)
    throw invalid('/max_results', `Invalid value ${n} for parameter 'max_results' supplied. It must be a positive integer`);
  if (n > SEARCH_MAX_RESULTS)
    throw invalid('/max_results', `Invalid value ${n} for parameter 'max_results' supplied. It must be at most ${SEARCH_MAX_RESULTS}`);
  return n;
}

/** Experiment ids as MLflow's store reads them (`int(e)`), bound as one bigint[] parameter. */
export function experimentIdsSql(ids: readonly string[]): SQL {
  for (const id of ids)
    if (!/^\s*[-+]?\d+\s*$/.test(id)) throw invalid('/experiment_ids', `Invalid experiment ID '${id}': expected an integer`);
  return sql`${textArray(ids.map((id) => id.trim()))}::bigint[]`;
}
