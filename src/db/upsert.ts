import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from './client';

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

/** Folds rows sharing a key into one, by the rule; output sorted by key (a stable lock order). */
export function mergeRows<T extends PgTable>(rule: MergeRule<T>, rows: Row<T>[]): Row<T>[] {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of rows as Record<string, unknown>[]) {
    const k = rule.key.map((c) => String(row[c])).join('\u0000');
    const cur = byKey.get(k);
    if (!cur) {
      byKey.set(k, { ...row });
      continue;
    }
    for (const c of rule.min ?? []) if (row[c] != null && (cur[c] == null || compare(row[c] as Value, cur[c] as Value) < 0)) cur[c] = row[c];
    for (const c of rule.max ?? []) if (row[c] != null && (cur[c] == null || compare(row[c] as Value, cur[c] as Value) > 0)) cur[c] = row[c];
    for (const g of rule.groups ?? []) {
      if (guardWins(row, cur, g.guard)) for (const c of [...g.guard, ...g.cols]) cur[c] = row[c];
    }
  }
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r as Row<T>);
}

function conflictClause<T extends PgTable>(rule: MergeRule<T>) {
  const columns = getTableColumns(rule.table) as Record<string, PgColumn>;
  const col = (c: string) => columns[c]!;
  const ex = (c: string) => sql.raw(`excluded."${col(c).name}"`);
  const set: Record<string, SQL> = {};
  const changed: SQL[] = [];
  for (const c of rule.min ?? []) {
    set[c] = sql`least(${col(c)}, ${ex(c)})`;
    changed.push(sql`${ex(c)} < ${col(c)}`, sql`(${col(c)} is null and ${ex(c)} is not null)`);
  }
  for (const c of rule.max ?? []) {
    set[c] = sql`greatest(${col(c)}, ${ex(c)})`;
    changed.push(sql`${ex(c)} > ${col(c)}`, sql`(${col(c)} is null and ${ex(c)} is not null)`);
  }
  for (const g of rule.groups ?? []) {
    const mine = sql.join(g.guard.map((c) => sql`${ex(c)}`), sql`, `);
    const theirs = sql.join(g.guard.map((c) => sql`${col(c)}`), sql`, `);
    const first = g.guard[0]!;
    const wins = sql`(${ex(first)} is not null and (${col(first)} is null or (${mine}) > (${theirs})))`;
    for (const c of [...g.guard, ...g.cols]) set[c] = sql`case when ${wins} then ${ex(c)} else ${col(c)} end`;
    changed.push(wins);
  }
  return { set, where: changed.length ? sql.join(changed, sql` or `) : undefined };
}

const MAX_PARAMS = 30_000;

/**
 * Inserts rows (merged, sorted), merging into stored rows by the rule. The statements are issued at once
 * and not awaited one by one: on one connection they still run in order, and the driver pipelines them.
 */
export function upsert<T extends PgTable>(tx: Tx, rule: MergeRule<T>, rows: Row<T>[]): Promise<unknown>[] {
  if (rows.length === 0) return [];
  const merged = mergeRows(rule, rows);
  const columns = getTableColumns(rule.table) as Record<string, PgColumn>;
  const target = rule.key.map((c) => columns[c]!);
  const { set, where } = conflictClause(rule);
  const perRow = Object.keys(columns).length;
  const chunk = Math.max(1, Math.floor(MAX_PARAMS / perRow));
  const statements: Promise<unknown>[] = [];
  for (let i = 0; i < merged.length; i += chunk) {
    const insert = tx.insert(rule.table).values(merged.slice(i, i + chunk) as never);
    statements.push(
      Object.keys(set).length === 0
        ? insert.onConflictDoNothing({ target }).execute()
        : insert.onConflictDoUpdate({ target, set: set as never, setWhere: where }).execute(),
    );
  }
  return statements;
}
