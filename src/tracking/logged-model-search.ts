import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';
import { type Clause, parseClauses } from '../models/mlflow-grammar';
import { compareNumber, compareText, experimentIdsSql, fail, pyRepr } from './search-sql';

/**
 * MLflow 3's `logged-models/search` as its SQL store runs it (SqlAlchemyStore.search_logged_models,
 * `_apply_filter_string_datasets_search_logged_models`, `_apply_order_by_search_logged_models`), with
 * the grammar of mlflow/utils/search_logged_model_utils.py, which is not SearchUtils': entities
 * `attributes.`, `metrics.`, `params.`, `tags.` (plural only), comparators as written (`like` is
 * refused), string values stripped of single quotes only (a double-quoted value keeps its quotes, a bare
 * word is a string). As SQL over `m` (mlflow_logged_models).
 *
 * - Attributes `name`, `model_id`, `model_type`, `status`, `source_run_id` (`=`, `!=`, `LIKE`, `ILIKE`,
 *   `IN`, `NOT IN`), `creation_time`/`creation_timestamp`, `last_updated_timestamp`/`last_updated_time`
 *   (numeric).
 * - `metrics.k`: any value logged for the model (not only the latest) on one of `datasets` when given;
 *   `params.k`, `tags.k` as strings. Models without the key do not match.
 * - `datasets` alone: models with some metric on one of them.
 */
const ALIASES = new Map([
  ['creation_time', 'creation_time'],
  ['creation_timestamp', 'creation_time'],
  ['creation_timestamp_ms', 'creation_time'],
  ['last_updated_timestamp', 'last_updated_time'],
  ['last_updated_time', 'last_updated_time'],
  ['last_updated_timestamp_ms', 'last_updated_time'],
]);
const SEARCH_ATTRIBUTES = ['name', 'model_id', 'model_type', 'status', 'source_run_id'];
const NUMERIC_OPS = ['<', '<=', '>', '>=', '=', '!='];
const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const ENTITY_TYPES = ['attributes', 'metrics', 'params', 'tags'];

export interface DatasetFilter {
  dataset_name: string;
  dataset_digest?: string | null;
}

/** The entity a comparison names (search_logged_model_utils.Entity.from_str). */
function entityOf(text: string): { type: string; key: string; numeric: boolean } {
  const m = /^([a-z]+)\.(.+)$/.exec(text);
  const type = m ? m[1]! : 'attributes';
  if (!ENTITY_TYPES.includes(type)) throw fail(`Invalid entity type: '${type}'. Expected one of ${pyRepr(ENTITY_TYPES)}.`);
  const key = (m ? m[2]! : text).replace(/^`+|`+$/g, '');
  return { type, key, numeric: type === 'metrics' || (type === 'attributes' && ALIASES.has(key)) };
}

/** The metric rows of `x` (mlflow_metrics) on one of the datasets. */
function onDatasets(datasets: readonly DatasetFilter[]): SQL {
  return sql`(${sql.join(
    datasets.map((d) =>
      d.dataset_digest
        ? sql`(x.dataset_name = ${d.dataset_name} and x.dataset_digest = ${d.dataset_digest})`
        : sql`x.dataset_name = ${d.dataset_name}`,
    ),
    sql` or `,
  )})`;
}

/** MLflow stores a logged model's NaN as 0 (sanitize_metric_value, with no flag here): compared and sorted as 0. */
const metricValue = sql`(case when x.value = 'NaN' then 0 else x.value end)`;

function comparisonSql(c: Clause, datasets: readonly DatasetFilter[]): SQL {
  const entity = entityOf(c.identifier);
  const label = `${entity.type}.${entity.key}`;
  const op = c.written.toUpperCase() === 'NOT IN' ? 'NOT IN' : c.written;
  if (!(entity.numeric ? NUMERIC_OPS : STRING_OPS).includes(op))
    throw fail(
      `Invalid comparison operator for ${label}: ${pyRepr(op)}. Expected one of (${STRING_OPS.map((o) => pyRepr(o)).join(', ')}).`,
    );
  if (entity.numeric) {
    if (c.value.kind !== 'number') throw fail(`could not convert string to float: ${pyRepr(c.value.raw)}`);
    if (entity.type === 'attributes') return compareNumber(sql`m.${sql.identifier(ALIASES.get(entity.key)!)}`, op, c.value.text);
    const dataset = datasets.length > 0 ? sql` and ${onDatasets(datasets)}` : sql``;
    return sql`exists (select 1 from mlflow_metrics x where x.model_id = m.model_id and x.key = ${entity.key}
      and ${compareNumber(metricValue, op, c.value.text)}${dataset})`;
  }
  const listed = op === 'IN' || op === 'NOT IN';
  if (listed !== (c.value.kind === 'list')) throw fail(`Invalid comparison: ${c.identifier} ${c.written} ${c.value.raw}`);
  if (c.value.kind === 'list' && c.value.problem) throw fail(c.value.problem);
  const value = c.value.kind === 'list' ? c.value.items : c.value.raw.replace(/^'+|'+$/g, '');
  if (entity.type === 'attributes') {
    if (!SEARCH_ATTRIBUTES.includes(entity.key))
      throw fail(`Invalid attribute key '${entity.key}' specified. Valid keys are ${pyRepr([...SEARCH_ATTRIBUTES, ...ALIASES.keys()])}`);
    return compareText(sql`m.${sql.identifier(entity.key)}`, op, value);
  }
  const table = entity.type === 'params' ? sql`mlflow_logged_model_params` : sql`mlflow_logged_model_tags`;
  return sql`exists (select 1 from ${table} t where t.model_id = m.model_id and t.key = ${entity.key} and ${compareText(sql`t.value`, op, value)})`;
}

/** The filter (and datasets) of logged-models/search as a condition on `m`; `true` when there is none. */
export function loggedModelFilterSql(filter: string | undefined, datasets: readonly DatasetFilter[] = []): SQL {
  const invalidFilter = () =>
    `Invalid filter string: ${pyRepr(filter)}. Expected a list of comparisons separated by 'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').`;
  const clauses = parseClauses(filter, { ands: 'anywhere', invalid: invalidFilter });
  const conditions = clauses.map((c) => comparisonSql(c, datasets));
  if (datasets.length > 0 && !clauses.some((c) => entityOf(c.identifier).type === 'metrics'))
    conditions.push(sql`exists (select 1 from mlflow_metrics x where x.model_id = m.model_id and ${onDatasets(datasets)})`);
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

// ---------------------------------------------------------------------------------------------------------
// Order

/** One of MLflow's `order_by` objects for logged models (the REST request's, as its handler passes them on). */
export interface LoggedModelOrder {
  field_name: string;
  ascending?: boolean;
  dataset_name?: string | null;
  dataset_digest?: string | null;
}

const ORDER_COLUMNS = new Set([
  'model_id',
  'experiment_id',
  'name',
  'artifact_location',
  'status',
  'lifecycle_stage',
  'model_type',
  'source_run_id',
  'status_message',
]);

/**
 * `_apply_order_by_search_logged_models`: each field with its missing values last, then
 * `creation_timestamp DESC` unless ordered by it (and the model id, so that pages do not overlap).
 */
export function loggedModelOrderSql(orderBy: readonly LoggedModelOrder[] = []): SQL {
  let byCreation = false;
  const parts = orderBy.map((o) => {
    const field = o.field_name ?? '';
    const dir = sql.raw(o.ascending === false ? 'desc' : 'asc');
    const dot = field.indexOf('.');
    if (dot < 0) {
      const column = ALIASES.get(field) ?? (ORDER_COLUMNS.has(field) ? field : undefined);
      if (!column || field === 'last_updated_time') throw invalid('/order_by', `Invalid order by field name: ${field}`);
      if (column === 'creation_time') byCreation = true;
      const c = sql`m.${sql.identifier(column)}`;
      return sql`(${c} is null) asc, ${c} ${dir}`;
    }
    if (field.slice(0, dot) !== 'metrics') throw invalid('/order_by', `Invalid order by field name: ${field}. Only metrics are supported.`);
    const dataset = sql.join(
      [
        ...(o.dataset_name ? [sql` and x.dataset_name = ${o.dataset_name}`] : []),
        ...(o.dataset_digest ? [sql` and x.dataset_digest = ${o.dataset_digest}`] : []),
      ],
      sql``,
    );
    const latest = sql`(select ${metricValue} from mlflow_metrics x where x.model_id = m.model_id and x.key = ${field.slice(dot + 1)}${dataset}
      order by x.timestamp desc, x.step desc limit 1)`;
    return sql`(${latest} is null) asc, ${latest} ${dir}`;
  });
  if (!byCreation) parts.push(sql`m.creation_time desc`);
  parts.push(sql`m.model_id asc`);
  return sql.join(parts, sql`, `);
}

// ---------------------------------------------------------------------------------------------------------
// Pages: SearchLoggedModelsPaginationToken, the search itself beside the offset

interface PageToken {
  experiment_ids: string[];
  filter_string: string | null;
  order_by: Required<LoggedModelOrder>[] | null;
  offset: number;
}

/** The order as MLflow's handler hands it to the store, so that tokens compare as MLflow compares them. */
const canonicalOrder = (orderBy: readonly LoggedModelOrder[] | undefined): PageToken['order_by'] =>
  orderBy?.length
    ? orderBy.map((o) => ({
        field_name: o.field_name,
        ascending: o.ascending ?? true,
        dataset_name: o.dataset_name || null,
        dataset_digest: o.dataset_digest || null,
      }))
    : null;

/** Python's json.dumps (", " and ": ", non-ASCII escaped), so that a token is byte for byte MLflow's. */
const pyJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(pyJson).join(', ')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.entries(v)
          .map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`)
          .join(', ')}}`
      : (JSON.stringify(v) ?? 'null').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const encodeToken = (t: PageToken) => btoa(pyJson(t));

function decodeToken(token: string): PageToken {
  try {
    const parsed = JSON.parse(atob(token)) as Partial<PageToken>;
    return {
      experiment_ids: parsed.experiment_ids ?? [],
      filter_string: parsed.filter_string || null,
      order_by: parsed.order_by?.length ? parsed.order_by : null,
      offset: Number(parsed.offset) || 0,
    };
  } catch {
    throw invalid('/page_token', `Invalid page token: ${token}. Not base64-encoded JSON`);
  }
}

/** SearchLoggedModelsPaginationToken.validate: a token continues the search it came from only. */
function checkToken(t: PageToken, expected: Omit<PageToken, 'offset'>) {
  const bad = (message: string) => invalid('/page_token', message);
  if (pyJson(t.experiment_ids) !== pyJson(expected.experiment_ids))
    throw bad(
      `Experiment IDs in the page token do not match the requested experiment IDs. Expected: ${pyRepr(expected.experiment_ids)}. Found: ${pyRepr(t.experiment_ids)}`,
    );
  if (t.filter_string !== expected.filter_string)
    throw bad(
      `Filter string in the page token does not match the requested filter string. Expected: ${expected.filter_string ?? 'None'}. Found: ${t.filter_string ?? 'None'}`,
    );
  if (pyJson(t.order_by) !== pyJson(expected.order_by))
    throw bad(
      `Order by in the page token does not match the requested order by. Expected: ${pyRepr(expected.order_by)}. Found: ${pyRepr(t.order_by)}`,
    );
}

/** MLflow's SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT (the store's; the REST request's proto default is 50). */
export const LOGGED_MODELS_DEFAULT_RESULTS = 100;

export interface LoggedModelSearch {
  experimentIds: string[];
  filter?: string;
  datasets?: DatasetFilter[];
  /** Absent or 0: LOGGED_MODELS_DEFAULT_RESULTS (`max_results or 100`). */
  maxResults?: number;
  orderBy?: LoggedModelOrder[];
  pageToken?: string;
}

/** One page of logged-models/search: the models' ids in order, and a token when more follow. */
export async function searchLoggedModelIds(db: Db, q: LoggedModelSearch): Promise<{ modelIds: string[]; nextPageToken?: string }> {
  const datasets = q.datasets ?? [];
  if (datasets.some((d) => !d.dataset_name)) throw invalid('/datasets', '`dataset_name` in the `datasets` clause must be specified.');
  const search = { experiment_ids: q.experimentIds, filter_string: q.filter || null, order_by: canonicalOrder(q.orderBy) };
  let offset = 0;
  if (q.pageToken) {
    const token = decodeToken(q.pageToken);
    checkToken(token, search);
    offset = token.offset;
  }
  const maxResults = q.maxResults || LOGGED_MODELS_DEFAULT_RESULTS;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1)
    throw invalid('/max_results', `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  const where = loggedModelFilterSql(search.filter_string ?? undefined, datasets);
  const order = loggedModelOrderSql(q.orderBy);
  const experiments = experimentIdsSql(q.experimentIds);
  const rows = await select<{ model_id: string }>(
    db,
    sql`select m.model_id from mlflow_logged_models m
      where m.lifecycle_stage <> 'deleted' and m.experiment_id = any(${experiments}) and ${where}
      order by ${order} limit ${maxResults + 1} offset ${offset}`,
  );
  const modelIds = rows.slice(0, maxResults).map((r) => r.model_id);
  return rows.length > maxResults ? { modelIds, nextPageToken: encodeToken({ ...search, offset: offset + maxResults }) } : { modelIds };
}
