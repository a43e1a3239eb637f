import { type SQL, sql } from 'drizzle-orm';
import { alreadyExists, invalid } from '../core/errors';
import type { Db } from '../db/client';
import { appendAudit } from './audit';
import { modelNotFound } from './errors';
import { idSql } from './link-evidence';
import { lockLinksForRegistry, refreshLinks } from './link-refresh';
import { getRegisteredModel, type RegisteredModel } from './registry';

const NAME = /^[^\s/][^/]{0,255}$/;

/** The id links.ts linkIdOf gives a link of version `d.version` of the model once renamed. */
const newLinkId = (newName: string, kind: SQL, runId: SQL, namespace: SQL, dataset: SQL, version: SQL) =>
  sql`case when ${kind} = 'run'
    then ${idSql('model_link', sql`${newName}::text`, sql`d.version::text`, sql`'run:' || ${runId}`)}
    else ${idSql('model_link', sql`${newName}::text`, sql`d.version::text`, sql`'dataset_version:' || ${namespace}`, dataset, version)} end`;

/**
 * Renames a registered model (MLflow's registered-models/rename), in one transaction with its audit entry
 * (`model.renamed`, under the new name, naming both). The model's row is updated and the foreign keys
 * carry the rest (ON UPDATE CASCADE: tags, versions and, through them, version tags, aliases, approvals,
 * cards, links, link decisions). Three things are keyed by the name without a key to follow:
 * - deployments (history, no foreign key): they follow, so an endpoint still serves "this" model;
 * - versions copied from its versions (`models:/old/1` sources): they keep inheriting from the same ones;
 * - link ids, a hash of the name (links.ts linkIdOf): decisions are re-keyed from what their audit entry
 *   recorded (the link's target), then the links are recomputed under the new name, decisions applied.
 * The audit log itself is append-only: earlier entries keep the old name.
 */
export async function renameRegisteredModel(db: Db, actor: string, name: string, newName: unknown): Promise<RegisteredModel> {
  if (typeof newName !== 'string' || !NAME.test(newName))
    throw invalid('/new_name', 'a model name is 1 to 256 characters, without "/", not starting with a space');
  if (newName === name) return getRegisteredModel(db, name);
  await db.transaction(async (query) => {
    await lockLinksForRegistry(query);
    const [old] = await query(sql`select name from registered_models where name = ${name} for update`);
    if (!old) throw modelNotFound(name);
    const [taken] = await query(sql`select name from registered_models where name = ${newName}`);
    if (taken) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
    await query(sql`update registered_models set name = ${newName}, updated_at = now() where name = ${name}`);
    // MLflow marks every version updated by the rename too.
    await query(sql`update model_versions set updated_at = now() where model_name = ${newName}`);
    await query(sql`update deployments set model_name = ${newName} where model_name = ${name}`);
    await query(sql`update model_versions set source_model_name = ${newName} where source_model_name = ${name}`);
    // Each decision's target: its link's, else (a link gone with its evidence) what its audit entry recorded.
    await query(sql`update model_link_decisions d set link_id = ${newLinkId(newName, sql`t.kind`, sql`t.run_id`, sql`t.namespace`, sql`t.dataset`, sql`t.dataset_version`)}
      from (select l.link_id, l.kind, l.run_id::text, l.dataset_namespace as namespace, l.dataset_name as dataset, l.dataset_version
              from model_version_links l where l.model_name = ${newName}
            union all
            (select distinct on (x.detail->>'linkId') (x.detail->>'linkId')::uuid, x.detail->>'kind', x.detail->>'runId',
              x.detail->'dataset'->>'namespace', x.detail->'dataset'->>'name', x.detail->'dataset'->>'version'
              from audit_log x where x.action in ('link.confirmed', 'link.rejected') and x.detail->>'linkId' in
                (select o.link_id::text from model_link_decisions o where o.model_name = ${newName}
                 and not exists (select 1 from model_version_links k where k.link_id = o.link_id))
              order by x.detail->>'linkId', x.seq desc)) t
      where d.model_name = ${newName} and d.link_id = t.link_id`);
    const versions = await query<{ version: number }>(sql`select version from model_versions where model_name = ${newName}`);
    await refreshLinks(
      query,
      versions.map((v) => ({ name: newName, version: Number(v.version) })),
    );
    await appendAudit(query, { actor, action: 'model.renamed', modelName: newName, detail: { from: name, to: newName } });
  });
  return getRegisteredModel(db, newName);
}
