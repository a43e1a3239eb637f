import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';
import { type Clause, parseClauses, parseOrderClause, stripQuotes, trimBackticks } from '../models/mlflow-grammar';
import { offsetOf, tokenOf } from '../models/mlflow-page';
import {
  checkMaxResults,
  compareNumber,
  compareText,
  experimentIdsSql,
  fail,
  holds,
  pyRepr,
  pySet,
  searchValue,
  viewSql,
} from './search-sql';

/**
 * MLflow's `runs/search` as its SQL store runs it (mlflow/store/tracking/sqlalchemy_store.py
 * `_search_runs`, `_get_sqlalchemy_filter_clauses`, `_get_orderby_clauses`; the grammar of
 * mlflow/utils/search_utils.py `SearchUtils`), as SQL over `r` (mlflow_runs).
 *
 * - `metrics.k` (`metric.`): the latest value, `=`, `!=`, `<`, `<=`, `>`, `>=` against a number.
 * - `params.k` (`param.`, `parameter.`, `parameters.`), `tags.k` (`tag.`): `=`, `!=`, `LIKE`, `ILIKE`
 *   against a string. Like every comparison on a key, it needs the key: `tags.k != 'v'` leaves out runs
 *   without tag `k` (MLflow joins the rows).
 * - Attributes (bare, `attributes.`, `attribute.`, `attr.`, `run.`): `run_id` (also `IN`/`NOT IN` a list),
 *   `run_name` (`Run name`…: the `mlflow.runName` tag, as MLflow compares it), `user_id`, `status`,
 *   `artifact_uri` as strings; `start_time` (`created`), `end_time` as numbers.
 * - `datasets.name`, `.digest`, `.context` (the input's `mlflow.data.context` tag): strings or lists;
 *   some input of the run must match.
 */
type Entity = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';

const ENTITIES = new Map<string, Entity>([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['parameter', 'parameter'],
  ['parameters', 'parameter'],
  ['param', 'parameter'],
  ['params', 'parameter'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attr', 'attribute'],
  ['attributes', 'attribute'],
  ['run', 'attribute'],
  ['dataset', 'dataset'],
  ['datasets', 'dataset'],
]);

const ORDER_ATTRIBUTES = ['run_id', 'run_name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'created', 'Created'];
const SEARCH_ATTRIBUTES = [...ORDER_ATTRIBUTES, 'run name', 'Run name', 'Run Name'];
const NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time', 'created', 'Created']);
const DATASET_KEYS = ['name', 'digest', 'context'];
const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NUMERIC_COMPARATORS = ['=', '!=', '<', '<=', '>', '>='];
const KEY_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'];
/** The characters of a tag or param value that their `(key, left(value, 200))` indexes hold (src/db/schema/tracking.ts). */
const VALUE_PREFIX = 200;

/** SearchUtils.translate_key_alias. */
const translate = (key: string) =>
  key === 'created' || key === 'Created' ? 'start_time' : key === 'run name' || key === 'Run name' || key === 'Run Name' ? 'run_name' : key;

/** SearchUtils._get_identifier: `<entity>.<key>`, split at the first dot, or an attribute. */
function identifier(text: string, attributes: readonly string[]): { type: Entity; key: string } {
  const dot = text.indexOf('.');
  const entityText = trimBackticks(dot < 0 ? 'attribute' : text.slice(0, dot));
  const type = ENTITIES.get(entityText);
  if (!type) throw fail(`Invalid entity type '${entityText}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`);
  const key = trimBackticks(stripQuotes(dot < 0 ? text : text.slice(dot + 1)));
  if (type === 'attribute' && !attributes.includes(key))
    throw fail(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(attributes)}'`);
  if (type === 'dataset' && !DATASET_KEYS.includes(key))
    throw fail(`Invalid dataset key '${key}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`);
  return { type, key };
}

interface RunComparison {
  type: Entity;
  key: string;
  comparator: string;
  value: string | string[];
  raw: string;
}

const invalidClauses = (tokens: string[]) => `Invalid clause(s) in filter string: ${tokens.map((t) => `'${t}'`).join(', ')}`;

/** SearchUtils.parse_search_filter: every comparison's identifier and value, before any comparator is judged. */
function parseRunFilter(filter: string | undefined): RunComparison[] {
  return parseClauses(filter, { ands: 'anywhere', invalid: invalidClauses }).map((c: Clause) => {
    const { type, key } = identifier(c.identifier, SEARCH_ATTRIBUTES);
    const value = searchValue(type, key, c.value, NUMERIC_ATTRIBUTES.has(key), key === 'run_id');
    return { type, key: translate(key), comparator: c.comparator, value, raw: c.value.raw };
  });
}

function allowed(c: RunComparison, comparators: readonly string[], closing: string, listed = comparators) {
  if (!comparators.includes(c.comparator)) throw fail(`Invalid comparator '${c.comparator}' not one of '${pySet(listed)}${closing}`);
  if (Array.isArray(c.value) !== (c.comparator === 'IN' || c.comparator === 'NOT IN'))
    throw fail(`Invalid comparator '${c.comparator}' for value ${c.raw}`);
}

/**
 * A tag or param comparison. Equality probes the `(key, left(value, 200))` index; the whole value is
 * compared too only when the prefix cannot tell (200 characters or more): written always, the planner
 * would count the same equality twice and expect a hundredth of the rows it gets, and sort them all.
 */
function keyed(table: SQL, key: string, c: RunComparison): SQL {
  const v = c.value as string;
  const value =
    c.comparator !== '='
      ? compareText(sql`t.value`, c.comparator, v)
      : [...v].length < VALUE_PREFIX
        ? sql`left(t.value, 200) = left(${v}, 200)`
        : sql`left(t.value, 200) = left(${v}, 200) and t.value = ${v}`;
  return sql`exists (select 1 from ${table} t where t.run_uuid = r.run_uuid and t.key = ${key} and ${value})`;
}

const ATTRIBUTE_COLUMNS: Record<string, SQL> = {
  run_id: sql`r.run_uuid`,
  run_name: sql`r.name`,
  user_id: sql`r.user_id`,
  status: sql`r.status`,
  artifact_uri: sql`r.artifact_uri`,
  start_time: sql`r.start_time`,
  end_time: sql`r.end_time`,
};

/** `_get_sqlalchemy_filter_clauses`: one comparison as a condition on `r`. */
function comparisonSql(c: RunComparison): SQL {
  switch (c.type) {
    case 'attribute':
      if (NUMERIC_ATTRIBUTES.has(c.key)) {
        // MLflow's message names the string comparators here.
        allowed(c, NUMERIC_COMPARATORS, '', STRING_COMPARATORS);
        return compareNumber(ATTRIBUTE_COLUMNS[c.key]!, c.comparator, c.value as string);
      }
      allowed(c, STRING_COMPARATORS, "'");
      // MLflow compares the name as the `mlflow.runName` tag (runs of MLflow ≤ 1.29 have no name column).
      if (c.key === 'run_name') return keyed(sql`mlflow_tags`, 'mlflow.runName', c);
      return compareText(ATTRIBUTE_COLUMNS[c.key]!, c.comparator, c.value);
    case 'metric':
      allowed(c, NUMERIC_COMPARATORS, '');
      return metricSql(c);
    case 'parameter':
      allowed(c, KEY_COMPARATORS, "'");
      return keyed(sql`mlflow_params`, c.key, c);
    case 'tag':
      allowed(c, KEY_COMPARATORS, '');
      return keyed(sql`mlflow_tags`, c.key, c);
    case 'dataset':
      allowed(c, STRING_COMPARATORS, '');
      return c.key === 'context'
        ? sql`exists (select 1 from mlflow_run_inputs i cross join lateral jsonb_array_elements(i.tags) g
            where i.run_uuid = r.run_uuid and g->>'key' = 'mlflow.data.context' and ${compareText(sql`(g->>'value')`, c.comparator, c.value)})`
        : sql`exists (select 1 from mlflow_run_inputs i join mlflow_datasets d on d.dataset_uuid = i.dataset_uuid
            where i.run_uuid = r.run_uuid and ${compareText(c.key === 'name' ? sql`d.name` : sql`d.digest`, c.comparator, c.value)})`;
  }
}

/**
 * A latest metric against a number. MLflow stores NaN as 0 beside an `is_nan` flag
 * (SqlAlchemyStore.sanitize_metric_value) and compares the 0: NaN here matches whatever 0 would.
 */
function metricSql(c: RunComparison): SQL {
  const bound = Number(c.value);
  const value = sql`l.value ${sql.raw(c.comparator === '!=' ? '<>' : c.comparator)} ${String(bound)}::double precision`;
  const nan = holds(0, c.comparator, bound) ? sql`l.value = 'NaN'` : sql`false`;
  return sql`exists (select 1 from mlflow_latest_metrics l where l.run_uuid = r.run_uuid and l.key = ${c.key}
    and ((${value} and l.value <> 'NaN') or ${nan}))`;
}

/** The filter of runs/search as a condition on `r` (mlflow_runs); `true` when there is none. */
export function runFilterSql(filter: string | undefined): SQL {
  return conditionOf(parseRunFilter(filter));
}

const conditionOf = (comparisons: RunComparison[]): SQL =>
  comparisons.length === 0 ? sql`true` : sql.join(comparisons.map(comparisonSql), sql` and `);

/** runs/search's `run_view_type`: ACTIVE_ONLY (default), DELETED_ONLY, ALL, or their numbers 1, 2, 3. */
export function runViewSql(viewType: string | number | undefined): SQL {
  return viewSql(sql`r.lifecycle_stage`, viewType, '/run_view_type');
}

// ---------------------------------------------------------------------------------------------------------
// Order

const ascOrDesc = (ascending: boolean) => sql.raw(ascending ? 'asc' : 'desc');

/**
 * `_get_orderby_clauses`: whatever the direction, each clause puts the runs without the value last and,
 * for metrics, NaN after every number (before the runs without it); then `start_time DESC` unless ordered
 * by it, then `run_uuid`.
 */
export function runOrderSql(orderBy: readonly string[]): SQL {
  const seen = new Set<string>();
  const parts: SQL[] = [];
  for (const clause of orderBy) {
    const { identifier: text, ascending } = parseOrderClause(clause);
    const parsed = identifier(text.trim(), ORDER_ATTRIBUTES);
    const key = translate(parsed.key);
    const dir = ascOrDesc(ascending);
    if (parsed.type === 'attribute') {
      const column = ATTRIBUTE_COLUMNS[key]!;
      // end_time is the one orderable column that may be null.
      parts.push(key === 'end_time' ? sql`(${column} is null) asc, ${column} ${dir}` : sql`${column} ${dir}`);
    } else if (parsed.type === 'metric') {
      const latest = sql`from mlflow_latest_metrics l where l.run_uuid = r.run_uuid and l.key = ${key}`;
      parts.push(sql`coalesce((select case when l.value = 'NaN' then 1 else 0 end ${latest}), 2) asc, (select l.value ${latest}) ${dir}`);
    } else if (parsed.type === 'tag' || parsed.type === 'parameter') {
      const value = sql`(select t.value from ${parsed.type === 'tag' ? sql`mlflow_tags` : sql`mlflow_params`} t
        where t.run_uuid = r.run_uuid and t.key = ${key})`;
      parts.push(sql`(${value} is null) asc, ${value} ${dir}`);
    } else throw invalid('/order_by', `Invalid identifier type '${parsed.type}'`);
    const field = `${parsed.type}\u0000${key}`;
    if (seen.has(field)) throw invalid('/order_by', `\`order_by\` contains duplicate fields: ${pyRepr(orderBy)}`);
    seen.add(field);
  }
  if (!seen.has('attribute\u0000start_time')) parts.push(sql`r.start_time desc`);
  parts.push(sql`r.run_uuid asc`);
  return sql.join(parts, sql`, `);
}

// ---------------------------------------------------------------------------------------------------------
// The search

export interface RunSearch {
  experimentIds: string[];
  filter?: string;
  runViewType?: string | number;
  maxResults: number;
  orderBy: string[];
  pageToken?: string;
}

/**
 * One page of runs/search: the runs' ids in order, and MLflow's token of the next page, which MLflow
 * gives whenever the page is full (the next one may then be empty).
 */
export async function searchRunIds(db: Db, q: RunSearch): Promise<{ runUuids: string[]; nextPageToken?: string }> {
  // In the order MLflow's store checks them, so that the first refusal is its.
  const maxResults = checkMaxResults(q.maxResults);
  const view = runViewSql(q.runViewType);
  const comparisons = parseRunFilter(q.filter);
  const order = runOrderSql(q.orderBy);
  const where = conditionOf(comparisons);
  const offset = offsetOf(q.pageToken);
  const experiments = experimentIdsSql(q.experimentIds);
  if (q.experimentIds.length === 0) return { runUuids: [] };
  // One experiment (the usual search): its runs come from the (experiment_id, start_time) index in MLflow's
  // default order, so a page is read, not the experiment sorted; `= any` would hide that the list has one id.
  const inExperiments =
    q.experimentIds.length === 1
      ? sql`r.experiment_id = ${q.experimentIds[0]!.trim()}::bigint`
      : sql`r.experiment_id = any(${experiments})`;
  const rows = await select<{ run_uuid: string }>(
    db,
    sql`select r.run_uuid from mlflow_runs r
      where ${inExperiments} and ${view} and ${where}
      order by ${order} limit ${maxResults} offset ${offset}`,
  );
  const runUuids = rows.map((r) => r.run_uuid);
  return runUuids.length === maxResults ? { runUuids, nextPageToken: tokenOf(offset + maxResults) } : { runUuids };
}
