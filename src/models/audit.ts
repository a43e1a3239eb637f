import { type SQL, sql } from 'drizzle-orm';
import type { Db, Query } from '../db/client';
import { iso, selectByKey } from '../db/sql';
import { modelNotFound } from './errors';

export interface AuditEntry {
  actor: string;
  action: string;
  modelName?: string;
  version?: number;
  detail: Record<string, unknown>;
}

/** Appends to the audit log in the caller's transaction: the record commits with the change, or neither. */
export async function appendAudit(query: Query, e: AuditEntry): Promise<void> {
  await query(sql`insert into audit_log (actor, action, model_name, version, detail)
    values (${e.actor}, ${e.action}, ${e.modelName ?? null}, ${e.version ?? null}, ${JSON.stringify(e.detail)}::text::jsonb)`);
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  modelName: string | null;
  version: number | null;
  detail: Record<string, unknown>;
}

/** A version's history, oldest first, with the model-level entries that concern every version. */
export async function versionHistory(db: Db, name: string, version: number): Promise<AuditRecord[]> {
  return selectByKey<AuditRecord>(
    db,
    sql`select a.seq::int as seq, ${iso(sql`a.at`)} as at, a.actor, a.action, a.model_name as "modelName", a.version, a.detail
      from audit_log a where a.model_name = ${name} and (a.version = ${version} or a.version is null) order by a.seq`,
  );
}

/**
 * The names a model had, each with the span of audit entries that are its under that name: its name now
 * (from its registration under it), then, through each `model.renamed` entry, the name it had before (up to
 * the rename, from its registration under that name). So a renamed model's history starts where it
 * started, and a name taken again by another model does not bring the first one's entries.
 */
const namesOf = (name: string) => sql`names(name, lo, hi) as (
    select ${name}::text, ${registeredUnder(sql`${name}::text`, sql`9223372036854775807`)}, 9223372036854775807::bigint
    union all
    select r.detail->>'from', ${registeredUnder(sql`r.detail->>'from'`, sql`r.seq`)}, r.seq
    from names n join audit_log r on r.action = 'model.renamed' and r.model_name = n.name and r.seq between n.lo and n.hi)`;

/** The latest registration of a model under `name` up to `hi` (0 when none is recorded). */
const registeredUnder = (name: SQL, hi: SQL) =>
  sql`coalesce((select max(x.seq) from audit_log x where x.model_name = ${name} and x.action = 'model.registered' and x.seq <= ${hi}), 0)`;

/**
 * Every audit entry of a model (its versions' and its own), under every name it had, oldest first, paged:
 * the stage timeline of all its versions in one read. An unknown model with no history is not found; a
 * deleted model keeps its history (the audit log outlives what it records).
 */
export async function modelHistory(db: Db, name: string, page: { limit: number; offset: number }) {
  const entries = sql`audit_log a join names n on a.model_name = n.name and a.seq between n.lo and n.hi`;
  const [count] = await selectByKey<{ total: number }>(
    db,
    sql`with recursive ${namesOf(name)} select count(*)::int as total from ${entries}`,
  );
  const totalCount = count?.total ?? 0;
  if (totalCount === 0) throw modelNotFound(name);
  const history = await selectByKey<AuditRecord>(
    db,
    sql`with recursive ${namesOf(name)}
      select a.seq::int as seq, ${iso(sql`a.at`)} as at, a.actor, a.action, a.model_name as "modelName", a.version, a.detail
      from ${entries} order by a.seq limit ${page.limit} offset ${page.offset}`,
  );
  return { model: name, totalCount, history };
}

/**
 * The whole audit log, newest first, paged: the registry's entries and the deletions of datasets, jobs and
 * namespaces (`dataset.hidden`, `namespace.purged`, ...: no model). `action` keeps one action; `namespace`
 * the entries whose detail names that namespace (the deletions).
 */
export async function auditLog(db: Db, filter: { action?: string; namespace?: string }, page: { limit: number; offset: number }) {
  const where: SQL[] = [sql`true`];
  if (filter.action !== undefined) where.push(sql`a.action = ${filter.action}`);
  if (filter.namespace !== undefined) where.push(sql`a.detail->>'namespace' = ${filter.namespace}`);
  const cond = sql.join(where, sql` and `);
  const [row] = await selectByKey<{ total: number; entries: AuditRecord[] | null }>(
    db,
    sql`select (select count(*)::int from audit_log a where ${cond}) as total,
      (select json_agg(x order by x.seq desc) from (
        select a.seq::int as seq, ${iso(sql`a.at`)} as at, a.actor, a.action, a.model_name as "modelName", a.version, a.detail
        from audit_log a where ${cond} order by a.seq desc limit ${page.limit} offset ${page.offset}) x) as entries`,
  );
  return { totalCount: row?.total ?? 0, entries: row?.entries ?? [] };
}
