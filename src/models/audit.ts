import { sql } from 'drizzle-orm';
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
 * Every audit entry of a model (its versions' and its own), oldest first, paged: the stage timeline of all
 * its versions in one read. An unknown model with no history is not found; a deleted model keeps its
 * history (the audit log outlives what it records).
 */
export async function modelHistory(db: Db, name: string, page: { limit: number; offset: number }) {
  const [count] = await selectByKey<{ total: number }>(
    db,
    sql`select count(*)::int as total from audit_log a where a.model_name = ${name}`,
  );
  const totalCount = count?.total ?? 0;
  if (totalCount === 0) throw modelNotFound(name);
  const history = await selectByKey<AuditRecord>(
    db,
    sql`select a.seq::int as seq, ${iso(sql`a.at`)} as at, a.actor, a.action, a.model_name as "modelName", a.version, a.detail
      from audit_log a where a.model_name = ${name} order by a.seq limit ${page.limit} offset ${page.offset}`,
  );
  return { model: name, totalCount, history };
}
