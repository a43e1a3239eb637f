import { type SQL, sql } from 'drizzle-orm';
import { invalid } from '../core/errors';

/**
 * MLflow's search filter grammar, the subset its clients send: clauses joined by AND, each
 * `<attribute> <op> <value>` with `=`, `!=`, `LIKE`, `ILIKE` or `IN (…)`, values quoted with ' or ",
 * attributes `name`, `run_id`, `source_path`, `version_number` and `tags.<key>` (backquotes allowed).
 */
export type Entity = 'model' | 'version';

interface Clause {
  attribute: string;
  op: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
  values: string[];
}

const TOKEN = /\s*(?:(`[^`]*`|[A-Za-z_][\w.]*(?:\.`[^`]*`)?)|('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")|(!=|=|\(|\)|,))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(text.slice(start))) break;
    const m = TOKEN.exec(text);
    if (!m) throw invalid('/filter', `cannot parse the filter at "${text.slice(start, start + 20)}"`);
    out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

const unquote = (t: string) => {
  if (!/^['"]/.test(t)) throw invalid('/filter', `expected a quoted value, got ${t}`);
  return t.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1');
};

function parse(filter: string): Clause[] {
  const tokens = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  while (i < tokens.length) {
    const attribute = tokens[i++]!.replace(/`/g, '');
    const rawOp = tokens[i++]?.toUpperCase();
    if (rawOp !== '=' && rawOp !== '!=' && rawOp !== 'LIKE' && rawOp !== 'ILIKE' && rawOp !== 'IN') {
      throw invalid('/filter', `unsupported operator after ${attribute}: ${rawOp ?? 'nothing'}`);
    }
    const values: string[] = [];
    if (rawOp === 'IN') {
      if (tokens[i++] !== '(') throw invalid('/filter', 'IN needs a parenthesized list');
      for (;;) {
        values.push(unquote(tokens[i++] ?? ''));
        const next = tokens[i++];
        if (next === ')') break;
        if (next !== ',') throw invalid('/filter', 'IN list items are separated by commas');
      }
    } else values.push(unquote(tokens[i++] ?? ''));
    clauses.push({ attribute, op: rawOp, values });
    if (i < tokens.length) {
      if (tokens[i]!.toUpperCase() !== 'AND') throw invalid('/filter', `clauses are joined by AND, got ${tokens[i]}`);
      i++;
    }
  }
  return clauses;
}

/** The filter as a SQL condition over `m` (registered_models) or `v` (model_versions). */
export function filterSql(entity: Entity, filter: string | undefined): SQL {
  if (!filter?.trim()) return sql`true`;
  return sql.join(
    parse(filter).map((c) => clauseSql(entity, c)),
    sql` and `,
  );
}

function clauseSql(entity: Entity, c: Clause): SQL {
  let column: SQL;
  if (c.attribute.startsWith('tags.')) {
    const key = c.attribute.slice(5);
    const owner =
      entity === 'model'
        ? sql`(select t.value from registered_model_tags t where t.model_name = m.name and t.key = ${key})`
        : sql`(select t.value from model_version_tags t where t.model_name = v.model_name and t.version = v.version and t.key = ${key})`;
    column = owner;
  } else if (c.attribute === 'name') column = entity === 'model' ? sql`m.name` : sql`v.model_name`;
  else if (entity === 'version' && c.attribute === 'run_id') column = sql`v.run_id`;
  else if (entity === 'version' && c.attribute === 'source_path') column = sql`v.source`;
  else if (entity === 'version' && c.attribute === 'version_number') column = sql`v.version::text`;
  else throw invalid('/filter', `cannot filter ${entity === 'model' ? 'registered models' : 'model versions'} on ${c.attribute}`);
  switch (c.op) {
    case '=':
      return sql`${column} = ${c.values[0]}`;
    case '!=':
      return sql`${column} is distinct from ${c.values[0]}`;
    case 'LIKE':
      return sql`${column} like ${c.values[0]}`;
    case 'ILIKE':
      return sql`${column} ilike ${c.values[0]}`;
    case 'IN':
      return sql`${column} in (${sql.join(
        c.values.map((v) => sql`${v}`),
        sql`, `,
      )})`;
  }
}

/** The columns MLflow's order_by may name, as fixed fragments: nothing the client sends reaches the SQL text. */
const ORDER_COLUMNS: Record<Entity, ReadonlyMap<string, SQL>> = {
  model: new Map([
    ['name', sql`m.name`],
    ['creation_timestamp', sql`m.created_at`],
    ['last_updated_timestamp', sql`m.updated_at`],
    ['timestamp', sql`m.updated_at`],
  ]),
  version: new Map([
    ['name', sql`v.model_name`],
    ['version_number', sql`v.version`],
    ['creation_timestamp', sql`v.created_at`],
    ['last_updated_timestamp', sql`v.updated_at`],
    ['timestamp', sql`v.created_at`],
  ]),
};

/** The stable tie-breaker after whatever the client asked for. */
const TIE_BREAKER: Record<Entity, SQL> = { model: sql`m.name asc`, version: sql`v.model_name asc, v.version desc` };

/** MLflow's `order_by` (e.g. `name ASC`, `last_updated_timestamp DESC`), with a stable tie-breaker. */
export function orderSql(entity: Entity, orderBy: string[]): SQL {
  const parts = orderBy.map((o) => {
    const m = /^\s*`?([\w.]+)`?\s*(ASC|DESC)?\s*$/i.exec(o);
    const column = m ? ORDER_COLUMNS[entity].get(m[1]!) : undefined;
    if (!m || !column) throw invalid('/order_by', `cannot order by "${o}"`);
    return m[2]?.toUpperCase() === 'DESC' ? sql`${column} desc` : sql`${column} asc`;
  });
  return sql.join([...parts, TIE_BREAKER[entity]], sql`, `);
}
