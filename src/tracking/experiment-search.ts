import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { select } from '../db/sql';
import { parseClauses, parseOrderClause, stripQuotes, trimBackticks } from '../models/mlflow-grammar';
import { offsetOf, tokenOf } from '../models/mlflow-page';
import { checkMaxResults, compareNumber, compareText, fail, pySet, searchValue, viewSql } from './search-sql';

/**
 * MLflow's `experiments/search` as its SQL store runs it (SqlAlchemyStore._search_experiments,
 * `_get_search_experiments_filter_clauses`, `_get_search_experiments_order_by_clauses`; the grammar of
 * SearchExperimentsUtils), as SQL over `e` (mlflow_experiments).
 *
 * - `name` (`attribute.name`): `=`, `!=`, `LIKE`, `ILIKE`; `creation_time`, `last_update_time`:
 *   `=`, `!=`, `<`, `<=`, `>`, `>=` against a number.
 * - `tags.k` (`tag.k`): `=`, `!=`, `LIKE`, `ILIKE`; the experiment must have the tag.
 * - Comparators as written: MLflow does not upper-case them here, so `like` is refused.
 * - Order: `name`, `experiment_id`, `creation_time`, `last_update_time`; by default
 *   `creation_time DESC, experiment_id ASC`, and `experiment_id DESC` breaks ties otherwise.
 */
const SEARCH_ATTRIBUTES = ['name', 'creation_time', 'last_update_time'];
const ORDER_ATTRIBUTES = ['name', 'experiment_id', 'creation_time', 'last_update_time'];
const NUMERIC = new Set(['creation_time', 'last_update_time']);
const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NUMERIC_COMPARATORS = ['=', '!=', '<', '<=', '>', '>='];
const TEXT_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'];

const COLUMNS: Record<string, SQL> = {
  name: sql`e.name`,
  experiment_id: sql`e.experiment_id`,
  creation_time: sql`e.creation_time`,
  last_update_time: sql`e.last_update_time`,
};

/** SearchExperimentsUtils._get_identifier. */
function identifier(text: string, attributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const dot = text.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  if (dot >= 0) {
    const entity = text.slice(0, dot);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags')
      throw fail(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  const key = trimBackticks(stripQuotes(dot < 0 ? text : text.slice(dot + 1)));
  if (type === 'attribute' && !attributes.includes(key))
    throw fail(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(attributes)}'`);
  return { type, key };
}

interface ExperimentComparison {
  type: 'attribute' | 'tag';
  key: string;
  comparator: string;
  value: string;
}

function parseExperimentFilter(filter: string | undefined): ExperimentComparison[] {
  return parseClauses(filter, { ands: 'anywhere' }).map((c) => {
    const { type, key } = identifier(c.identifier, SEARCH_ATTRIBUTES);
    // Lists are for run_id alone: none reaches here.
    const value = searchValue(type, key, c.value, NUMERIC.has(key), false) as string;
    return { type, key, comparator: c.written, value };
  });
}

/** `_get_search_experiments_filter_clauses`: one comparison as a condition on `e`. */
function comparisonSql(c: ExperimentComparison): SQL {
  if (c.type === 'tag') {
    if (!TEXT_COMPARATORS.includes(c.comparator)) throw fail(`Invalid comparator for tag: ${c.comparator}`);
    return sql`exists (select 1 from mlflow_experiment_tags t where t.experiment_id = e.experiment_id and t.key = ${c.key}
      and ${compareText(sql`t.value`, c.comparator, c.value)})`;
  }
  if (NUMERIC.has(c.key)) {
    // SearchUtils.is_numeric_attribute names the string comparators, with no closing quote.
    if (!NUMERIC_COMPARATORS.includes(c.comparator))
      throw fail(`Invalid comparator '${c.comparator}' not one of '${pySet(STRING_COMPARATORS)}`);
    return compareNumber(COLUMNS[c.key]!, c.comparator, c.value);
  }
  if (!STRING_COMPARATORS.includes(c.comparator))
    throw fail(`Invalid comparator '${c.comparator}' not one of '${pySet(STRING_COMPARATORS)}'`);
  if (!TEXT_COMPARATORS.includes(c.comparator)) throw fail(`Invalid comparator for string attribute: ${c.comparator}`);
  return compareText(COLUMNS[c.key]!, c.comparator, c.value);
}

const conditionOf = (comparisons: ExperimentComparison[]): SQL =>
  comparisons.length === 0 ? sql`true` : sql.join(comparisons.map(comparisonSql), sql` and `);

/** The filter of experiments/search as a condition on `e` (mlflow_experiments); `true` when there is none. */
export function experimentFilterSql(filter: string | undefined): SQL {
  return conditionOf(parseExperimentFilter(filter));
}

/** experiments/search's `view_type`: ACTIVE_ONLY (default), DELETED_ONLY, ALL, or 1, 2, 3. */
export function experimentViewSql(viewType: string | number | undefined): SQL {
  return viewSql(sql`e.lifecycle_stage`, viewType, '/view_type');
}

/** experiments/search's order_by over `e`, with MLflow's default and tie-breaker. */
export function experimentOrderSql(orderBy: readonly string[]): SQL {
  const clauses = (orderBy.length > 0 ? orderBy : ['creation_time DESC', 'experiment_id ASC']).map((clause) => {
    const { identifier: text, ascending } = parseOrderClause(clause);
    const parsed = identifier(text.trim(), ORDER_ATTRIBUTES);
    if (parsed.type !== 'attribute') throw invalid('/order_by', `Invalid order_by entity: ${parsed.type}`);
    return { key: parsed.key, ascending };
  });
  if (!clauses.some((c) => c.key === 'experiment_id')) clauses.push({ key: 'experiment_id', ascending: false });
  return sql.join(
    clauses.map((c) => sql`${COLUMNS[c.key]!} ${sql.raw(c.ascending ? 'asc' : 'desc')}`),
    sql`, `,
  );
}

export interface ExperimentSearch {
  viewType?: string | number;
  maxResults: number;
  filter?: string;
  orderBy: string[];
  pageToken?: string;
}

/** One page of experiments/search: the experiments' ids in order, and a token when more follow. */
export async function searchExperimentIds(db: Db, q: ExperimentSearch): Promise<{ experimentIds: string[]; nextPageToken?: string }> {
  const maxResults = checkMaxResults(q.maxResults);
  const where = conditionOf(parseExperimentFilter(q.filter));
  const order = experimentOrderSql(q.orderBy);
  const offset = offsetOf(q.pageToken);
  const view = experimentViewSql(q.viewType);
  const rows = await select<{ id: string }>(
    db,
    sql`select e.experiment_id::text as id from mlflow_experiments e where ${where} and ${view}
      order by ${order} limit ${maxResults + 1} offset ${offset}`,
  );
  const experimentIds = rows.slice(0, maxResults).map((r) => r.id);
  return rows.length > maxResults ? { experimentIds, nextPageToken: tokenOf(offset + maxResults) } : { experimentIds };
}
