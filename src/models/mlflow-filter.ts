import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import { type Comparison, parseFilter, parseOrderBy } from './mlflow-grammar';

/**
 * MLflow's registry searches as its SQL store runs them (mlflow/store/model_registry/sqlalchemy_store.py):
 * which attributes and comparators each search accepts, what a tag comparison means, and the order.
 *
 * - Registered models: `name` and tags, with `=`, `!=`, `LIKE`, `ILIKE`.
 * - Model versions: `name`, `run_id`, `source_path` (`=`, `!=`, `LIKE`, `ILIKE`; `IN (…)` for `run_id`
 *   only), `version_number` (`=`, `!=`, `<`, `<=`, `>`, `>=`), tags as above.
 * - A tag comparison needs the tag: `tags.k != 'v'` does not match a model without tag `k` (MLflow joins
 *   the tag rows). The one exception is MLflow's prompt tag: unless the filter asks for prompts
 *   (`= 'true'`, `!= 'false'`), its comparisons are dropped and prompts (tagged `'true'`) are left out, so
 *   `tags.\`mlflow.prompt.is_prompt\` != 'true'`, which MLflow ≥ 2.21 clients append to every model
 *   search, matches every model that is not a prompt, tagged or not. Without it, prompts are left out too.
 */
export type Entity = 'model' | 'version';

const IS_PROMPT = 'mlflow.prompt.is_prompt';
const ATTRIBUTES: Record<Entity, readonly string[]> = {
  model: ['name'],
  version: ['name', 'version_number', 'run_id', 'source_path'],
};
const TEXT_COMPARATORS = new Set(['=', '!=', 'LIKE', 'ILIKE']);
const NUMERIC_COMPARATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);

const fail = (message: string) => invalid('/filter', message);

/** The filter as a SQL condition over `m` (registered_models) or `v` (model_versions). */
export function filterSql(entity: Entity, filter: string | undefined): SQL {
  const comparisons = parseFilter(filter, ATTRIBUTES[entity]);
  const prompts = comparisons.find((c) => c.type === 'tag' && c.key === IS_PROMPT);
  const askingForPrompts =
    prompts?.value.kind === 'string' &&
    ((prompts.comparator === '=' && prompts.value.text.toLowerCase() === 'true') ||
      (prompts.comparator === '!=' && prompts.value.text.toLowerCase() === 'false'));
  const conditions = comparisons
    .filter((c) => askingForPrompts || c.type !== 'tag' || c.key !== IS_PROMPT)
    .map((c) => (c.type === 'tag' ? tagSql(entity, c) : attributeSql(entity, c)));
  if (!askingForPrompts) conditions.push(notPrompt(entity));
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

/** Leaves prompts out: a model tagged as one, or (versions) a model any of whose versions is tagged. */
function notPrompt(entity: Entity): SQL {
  return entity === 'model'
    ? sql`not exists (select 1 from registered_model_tags p where p.model_name = m.name and p.key = ${IS_PROMPT} and p.value = 'true')`
    : sql`not exists (select 1 from model_version_tags p where p.model_name = v.model_name and p.key = ${IS_PROMPT} and p.value = 'true')`;
}

/** `column <comparator> value` for a text comparison; the comparator is one of a fixed set. */
function compare(column: SQL, c: Comparison, text: string): SQL {
  switch (c.comparator) {
    case '=':
      return sql`${column} = ${text}`;
    case '!=':
      return sql`${column} <> ${text}`;
    case 'LIKE':
      return sql`${column} like ${text}`;
    default:
      return sql`${column} ilike ${text}`;
  }
}

function tagSql(entity: Entity, c: Comparison): SQL {
  if (!TEXT_COMPARATORS.has(c.comparator)) throw fail(`Invalid comparator for tag: ${c.comparator}`);
  if (c.value.kind !== 'string') throw fail(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${valueText(c)}`);
  const value = compare(sql`t.value`, c, c.value.text);
  return entity === 'model'
    ? sql`exists (select 1 from registered_model_tags t where t.model_name = m.name and t.key = ${c.key} and ${value})`
    : sql`exists (select 1 from model_version_tags t where t.model_name = v.model_name and t.version = v.version
        and t.key = ${c.key} and ${value})`;
}

const valueText = (c: Comparison) => (c.value.kind === 'list' ? `(${c.value.items.map((i) => `'${i}'`).join(', ')})` : c.value.text);

function attributeSql(entity: Entity, c: Comparison): SQL {
  if (c.key === 'version_number') return versionNumberSql(c);
  if (c.value.kind === 'list' && c.key !== 'run_id')
    throw fail("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  if (c.value.kind === 'number')
    throw fail(`Expected a quoted string value or a list of quoted string values for attributes. Got value ${c.value.text}`);
  const column =
    c.key === 'name' ? (entity === 'model' ? sql`m.name` : sql`v.model_name`) : c.key === 'run_id' ? sql`v.run_id` : sql`v.source`;
  if (c.comparator === 'IN' && c.key === 'run_id' && c.value.kind === 'list')
    return sql`${column} in (${sql.join(
      c.value.items.map((i) => sql`${i}`),
      sql`, `,
    )})`;
  if (!TEXT_COMPARATORS.has(c.comparator) || c.value.kind !== 'string') throw fail(`Invalid comparator for attribute: ${c.comparator}`);
  return compare(column, c, c.value.text);
}

function versionNumberSql(c: Comparison): SQL {
  if (!NUMERIC_COMPARATORS.has(c.comparator)) throw fail(`Invalid comparator for attribute version_number: ${c.comparator}`);
  const text = c.value.kind === 'list' ? '' : c.value.text.trim();
  if (c.value.kind === 'list') throw fail("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  if (!/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(text)) throw fail(`Invalid value for version_number: ${text}, not a number`);
  // The comparator is one of NUMERIC_COMPARATORS (checked above): raw is safe.
  return sql`v.version ${sql.raw(c.comparator)} ${text}::numeric`;
}

// ---------------------------------------------------------------------------------------------------------
// Order

/** The columns MLflow's order_by may name, as fixed fragments: nothing the client sends reaches the SQL text. */
const ORDER_COLUMNS: Record<Entity, ReadonlyMap<string, { field: string; column: SQL }>> = {
  // MLflow's store orders models by name or by last update (`timestamp` is the same field).
  model: new Map([
    ['name', { field: 'name', column: sql`m.name` }],
    ['timestamp', { field: 'last_updated_time', column: sql`m.updated_at` }],
    ['last_updated_timestamp', { field: 'last_updated_time', column: sql`m.updated_at` }],
  ]),
  version: new Map([
    ['name', { field: 'name', column: sql`v.model_name` }],
    ['version_number', { field: 'version', column: sql`v.version` }],
    ['creation_timestamp', { field: 'creation_time', column: sql`v.created_at` }],
    ['last_updated_timestamp', { field: 'last_updated_time', column: sql`v.updated_at` }],
  ]),
};

const VALID_KEYS: Record<Entity, string> = {
  model: "'{'name', 'timestamp'}'",
  version: "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}",
};

/** MLflow's default order of versions, when the client names none. */
const VERSION_DEFAULT = ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];

/**
 * MLflow's `order_by` (`name ASC`, `last_updated_timestamp DESC`), each field once, then its tie-breakers
 * for the fields not named: models by name ascending; versions by name ascending and version descending
 * (and, with no order_by, by last update first).
 */
export function orderSql(entity: Entity, orderBy: string[]): SQL {
  const clauses = entity === 'version' && orderBy.length === 0 ? VERSION_DEFAULT : orderBy;
  const seen = new Set<string>();
  const parts = clauses.map((clause) => {
    const { key, ascending } = parseOrderBy(clause);
    const order = ORDER_COLUMNS[entity].get(key);
    if (!order) throw invalid('/order_by', `Invalid order by key '${key}' specified. Valid keys are ${VALID_KEYS[entity]}`);
    if (seen.has(order.field))
      throw invalid('/order_by', `\`order_by\` contains duplicate fields: [${orderBy.map((o) => `'${o}'`).join(', ')}]`);
    seen.add(order.field);
    return ascending ? sql`${order.column} asc` : sql`${order.column} desc`;
  });
  if (!seen.has('name')) parts.push(entity === 'model' ? sql`m.name asc` : sql`v.model_name asc`);
  if (entity === 'version' && !seen.has('version')) parts.push(sql`v.version desc`);
  return sql.join(parts, sql`, `);
}
