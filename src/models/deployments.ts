import { sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey } from '../db/sql';
import { idOf } from '../ids';
import { appendAudit } from './audit';
import type { ModelVersion } from './registry';

export interface Deployment {
  id: string;
  endpoint: string;
  environment: string;
  model: string;
  version: number;
  actor: string;
  deployedAt: string;
  /** Whether this is what the endpoint serves now in its environment (its latest deployment). */
  current: boolean;
}

/** A deployment (alias `d`) is current when it is its endpoint's latest in its environment. */
const isCurrent = sql`not exists (select 1 from deployments n where n.endpoint = d.endpoint and n.environment = d.environment
    and (n.deployed_at, n.id) > (d.deployed_at, d.id))`;

const deploymentJson = sql`json_build_object('id', d.id, 'endpoint', d.endpoint, 'environment', d.environment,
  'model', d.model_name, 'version', d.version, 'actor', d.actor, 'deployedAt', ${iso(sql`d.deployed_at`)},
  'current', ${isCurrent})`;

/**
 * A deployment (alias `d`) was its endpoint's latest in its environment at `asOf`: made by then, and no later
 * one made by then.
 */
export const currentAt = (asOf: string) => sql`d.deployed_at <= ${asOf}::timestamptz and not exists (
    select 1 from deployments n where n.endpoint = d.endpoint and n.environment = d.environment
    and n.deployed_at <= ${asOf}::timestamptz and (n.deployed_at, n.id) > (d.deployed_at, d.id))`;

/**
 * What a version (a model_versions row, alias `v`) serves now, or served at `asOf`: its current deployments
 * then, newest first.
 */
export const currentDeploymentsJson = (v: string, asOf?: string) => {
  const a = sql.identifier(v);
  return sql`coalesce((select json_agg(${deploymentJson} order by d.deployed_at desc, d.id desc) from deployments d
    where d.model_name = ${a}.model_name and d.version = ${a}.version and ${asOf === undefined ? isCurrent : currentAt(asOf)}), '[]'::json)`;
};

/**
 * The deployment a graph node id names (`<environment>:<endpoint>`, both may hold colons: the longest
 * environment that exists wins): the endpoint's latest deployment, or the latest made by `asOf`.
 * Undefined when the endpoint is unknown; `{ deployment: undefined }` when nothing was deployed there by then.
 */
export async function deploymentAt(
  db: Db,
  environmentAndEndpoint: string,
  asOf?: string,
): Promise<{ deployment: Deployment | undefined } | undefined> {
  const [row] = await selectByKey<{ known: boolean; json: Deployment | null }>(
    db,
    sql`with named as (
        select environment, endpoint from deployments
        where environment || ':' || endpoint = ${environmentAndEndpoint}
        order by length(environment) desc limit 1)
      select exists (select 1 from named) as known,
        (select ${deploymentJson} from deployments d join named on named.environment = d.environment and named.endpoint = d.endpoint
          where ${asOf === undefined ? isCurrent : currentAt(asOf)} limit 1) as json`,
  );
  if (!row?.known) return undefined;
  return { deployment: row.json ?? undefined };
}

const text = (v: unknown, pointer: string) => {
  if (typeof v !== 'string' || !v.trim()) throw invalid(pointer, `${pointer.slice(1)} is required`);
  return v.trim();
};

/** Records that `endpoint` in `environment` now serves version `v`; earlier deployments stay as history. */
export async function deploy(db: Db, actor: string, v: ModelVersion, body: Record<string, unknown>): Promise<Deployment> {
  const endpoint = text(body.endpoint, '/endpoint');
  const environment = typeof body.environment === 'string' && body.environment.trim() ? body.environment.trim() : 'production';
  const id = idOf('deployment', endpoint, environment, v.name, String(v.version), crypto.randomUUID());
  await db.transaction(async (query) => {
    await query(sql`insert into deployments (id, endpoint, environment, model_name, version, actor, deployed_at)
      values (${id}, ${endpoint}, ${environment}, ${v.name}, ${v.version}, ${actor}, now())`);
    await appendAudit(query, {
      actor,
      action: 'deployment.created',
      modelName: v.name,
      version: v.version,
      detail: { id, endpoint, environment },
    });
  });
  const [row] = await selectByKey<{ json: Deployment }>(db, sql`select ${deploymentJson} as json from deployments d where d.id = ${id}`);
  return row!.json;
}

export async function listDeployments(db: Db, filter: { endpoint?: string; environment?: string; model?: string; version?: number }) {
  const where = [sql`true`];
  if (filter.endpoint) where.push(sql`d.endpoint = ${filter.endpoint}`);
  if (filter.environment) where.push(sql`d.environment = ${filter.environment}`);
  if (filter.model) where.push(sql`d.model_name = ${filter.model}`);
  if (filter.version !== undefined) where.push(sql`d.version = ${filter.version}`);
  const rows = await selectByKey<{ json: Deployment }>(
    db,
    sql`select ${deploymentJson} as json from deployments d where ${sql.join(where, sql` and `)} order by d.deployed_at desc, d.id desc limit 1000`,
  );
  return rows.map((r) => r.json);
}
