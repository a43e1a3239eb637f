import { sql } from 'drizzle-orm';
import { notFound } from '../core/errors';
import type { Db, Query } from '../db/client';
import { ids } from '../ids';
import { appendAudit } from '../models/audit';
import { namespaceJson } from '../read/catalog';
import { notHidden } from '../read/hidden';
import { missing } from '../read/owned';

type Json = Record<string, unknown>;

/**
 * Marquez's soft deletion (`DELETE /namespaces/{ns}/datasets/{name}`, `…/jobs/{name}`,
 * `DELETE /namespaces/{ns}`): the entity is hidden from every read (read/hidden.ts) and its rows and events
 * are kept; an event received after the deletion that names it shows it again (deletion/unhide.ts). Each
 * answers what Marquez answers, the entity as it was read before the deletion, and is appended to the audit
 * log in its transaction.
 */

/** Hides a dataset; 404 (as Marquez) when it does not exist or is hidden already. */
export async function hideDataset(db: Db, actor: string, namespace: string, name: string): Promise<Json> {
  const id = ids.dataset(namespace, name);
  const found = await db.transaction(async (query) => {
    const [row] = await query<{ document: Json }>(
      sql`select x.document from dataset_documents x where x.dataset_id = ${id} and ${notHidden('x.dataset_id')}`,
    );
    if (!row || !(await hide(query, id, 'dataset', ids.namespace(namespace), actor))) return undefined;
    await appendAudit(query, { actor, action: 'dataset.hidden', detail: { namespace, name } });
    return row.document;
  });
  if (!found) throw await missing(db, namespace, 'Dataset', name);
  return found;
}

/** Hides a job; 404 (as Marquez) when it does not exist or is hidden already. */
export async function hideJob(db: Db, actor: string, namespace: string, name: string): Promise<Json> {
  const id = ids.job(namespace, name);
  const found = await db.transaction(async (query) => {
    const [row] = await query<{ document: Json }>(
      sql`select x.document from job_documents x where x.job_id = ${id} and ${notHidden('x.job_id')}`,
    );
    if (!row || !(await hide(query, id, 'job', ids.namespace(namespace), actor))) return undefined;
    await appendAudit(query, { actor, action: 'job.hidden', detail: { namespace, name } });
    return row.document;
  });
  if (!found) throw await missing(db, namespace, 'Job', name);
  return found;
}

/**
 * Hides a namespace and every dataset and job in it. As in Marquez, a hidden namespace is still found (and
 * listed, with `isHidden: true`), so deleting it again answers 200 and hides what events showed since.
 * The audit entry counts the datasets and jobs this deletion hid.
 */
export async function hideNamespace(db: Db, actor: string, namespace: string): Promise<Json> {
  const ns = ids.namespace(namespace);
  const found = await db.transaction(async (query) => {
    const [row] = await query<{ json: Json }>(sql`select ${namespaceJson} as json from namespaces n where n.id = ${ns}`);
    if (!row) return undefined;
    const members = (table: 'datasets' | 'jobs', kind: 'dataset' | 'job') =>
      query<{ id: string }>(sql`insert into hidden_entities (id, kind, namespace_id, hidden_by)
        select e.id, ${kind}, e.namespace_id, ${actor} from ${sql.raw(table)} e where e.namespace_id = ${ns} order by e.id
        on conflict (id) do nothing returning id`);
    const [datasets, jobs] = [await members('datasets', 'dataset'), await members('jobs', 'job')];
    await hide(query, ns, 'namespace', ns, actor);
    await appendAudit(query, {
      actor,
      action: 'namespace.hidden',
      detail: { namespace, hidden: { datasets: datasets.length, jobs: jobs.length } },
    });
    return row.json;
  });
  if (!found) throw notFound(`Namespace '${namespace}' not found.`);
  return found;
}

/** Whether this call hid the entity (false: it was hidden already, by a concurrent deletion say). */
async function hide(query: Query, id: string, kind: 'namespace' | 'dataset' | 'job', namespaceId: string, actor: string) {
  const inserted = await query(sql`insert into hidden_entities (id, kind, namespace_id, hidden_by)
    values (${id}, ${kind}, ${namespaceId}, ${actor}) on conflict (id) do nothing returning id`);
  return inserted.length > 0;
}
