/** Configuration, parsed once at the edge from the environment; a bad value fails loudly by name. */
export interface Config {
  port: number;
  /** postgres://… for a real server; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Largest event accepted, after decompression. */
  maxEventBytes: number;
  /** Largest batch body accepted, after decompression (it is streamed, never held whole). */
  maxBatchBytes: number;
  /** Most a compressed batch may inflate per byte received, once past maxEventBytes (gzip bombs). */
  maxInflationRatio: number;
  /** Reject any deviation from the spec instead of storing the event with warnings. */
  strict: boolean;
  /** Who may call /api, by Bearer key; empty means no authentication (actors then name themselves). */
  principals: Principal[];
  /** What moving a model version to Production requires. */
  policy: PromotionPolicy;
  /** Connections to a real Postgres server. */
  databasePoolSize: number;
  /** Write transactions in flight at once (group commit); unset: 1 for PGlite, 2 for Postgres. */
  writeConcurrency: number | undefined;
  /** Normalization behind acceptance (ingest/normalizer.ts). */
  normalize: NormalizeConfig;
  /** MLflow's tracking API: where its runs go in the lineage graph, and where clients write artifacts. */
  mlflow: MlflowConfig;
  metrics: MetricsConfig;
  /**
   * PEDIGREE_RETENTION_DAYS: the Node service deletes, once a day, what is older than this many days and
   * nothing keeps (src/retention). Unset: nothing is deleted but by `pedigree retention`.
   */
  retentionDays: number | undefined;
}

export interface MetricsConfig {
  /**
   * GET /metrics without a key (PEDIGREE_METRICS_PUBLIC), for a scraper that holds none. Off by default
   * when keys are configured: the metrics name the producers and their volumes, so they need a key with
   * the `read` scope, the one that reads the producers' report already.
   */
  public: boolean;
  /** Producers labelled by name (PEDIGREE_METRICS_MAX_PRODUCERS); the others are counted as `other`. */
  maxProducers: number;
}

export interface NormalizeConfig {
  /** Most events one normalization transaction takes (PEDIGREE_NORMALIZE_BATCH); unset: 500 for PGlite, 2000 for Postgres. */
  batchEvents: number | undefined;
  /** Normalization transactions in flight at once in one process (PEDIGREE_NORMALIZE_CONCURRENCY). */
  concurrency: number;
  /** Longest a request asking `Prefer: wait=normalized` waits (PEDIGREE_NORMALIZE_WAIT_SECONDS). */
  waitSeconds: number;
}

export interface MlflowConfig {
  /** The OpenLineage namespace of the jobs MLflow experiments become (PEDIGREE_MLFLOW_NAMESPACE). */
  namespace: string;
  /**
   * Pedigree stores no artifacts: an experiment's artifact location is `<artifactRoot>/<experiment_id>`,
   * which clients write to directly (PEDIGREE_MLFLOW_ARTIFACT_ROOT, e.g. `s3://bucket/mlflow`). The default,
   * `./mlruns`, is MLflow's own: a directory on the client's machine.
   */
  artifactRoot: string;
}

type Env = Record<string, string | undefined>;

export const SCOPES = ['ingest', 'read', 'write', 'approve', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** A named caller: the actor of everything done with its key. `admin` implies every scope. */
export interface Principal {
  name: string;
  key: string;
  scopes: Scope[];
}

export interface PromotionPolicy {
  /** Tags the training run (its tags facet) or the version must carry. */
  requiredTags: string[];
  /** Approvals needed, by principals other than the one who registered the version. */
  approvals: number;
  /** A model card with content must exist. */
  requireCard: boolean;
}

export const DEFAULT_POLICY: PromotionPolicy = {
  requiredTags: ['dataset_version', 'git_commit', 'triggered_by'],
  approvals: 1,
  requireCard: true,
};

/**
 * PEDIGREE_PRINCIPALS: a JSON array of `{name, key, scopes}`. PEDIGREE_API_KEYS (comma-separated keys,
 * from before principals existed) still works: each key is a principal `api-key-<n>` with every scope.
 */
function principals(env: Env): Principal[] {
  const list: Principal[] = (env.PEDIGREE_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((key, i) => ({ name: `api-key-${i + 1}`, key, scopes: ['admin'] }));
  const raw = env.PEDIGREE_PRINCIPALS?.trim();
  if (!raw) return list;
  const parsed = parseJson('PEDIGREE_PRINCIPALS', raw);
  if (!Array.isArray(parsed)) throw new Error('PEDIGREE_PRINCIPALS must be a JSON array of {name, key, scopes}');
  for (const [i, p] of parsed.entries()) {
    const where = `PEDIGREE_PRINCIPALS[${i}]`;
    if (typeof p?.name !== 'string' || !p.name) throw new Error(`${where}.name must be a non-empty string`);
    if (typeof p.key !== 'string' || p.key.length < 8) throw new Error(`${where}.key must be a string of at least 8 characters`);
    if (!Array.isArray(p.scopes) || p.scopes.some((s: unknown) => !SCOPES.includes(s as Scope))) {
      throw new Error(`${where}.scopes must list some of ${SCOPES.join(', ')}`);
    }
    list.push({ name: p.name, key: p.key, scopes: p.scopes });
  }
  return list;
}

/** PEDIGREE_PROMOTION_POLICY: JSON overriding any of DEFAULT_POLICY's fields. */
function promotionPolicy(env: Env): PromotionPolicy {
  const raw = env.PEDIGREE_PROMOTION_POLICY?.trim();
  if (!raw) return DEFAULT_POLICY;
  const p = parseJson('PEDIGREE_PROMOTION_POLICY', raw);
  const policy = { ...DEFAULT_POLICY, ...(typeof p === 'object' && p !== null ? p : {}) };
  const ok =
    Array.isArray(policy.requiredTags) &&
    policy.requiredTags.every((t: unknown) => typeof t === 'string') &&
    Number.isSafeInteger(policy.approvals) &&
    policy.approvals >= 0 &&
    typeof policy.requireCard === 'boolean';
  if (!ok) throw new Error('PEDIGREE_PROMOTION_POLICY must be JSON like {"requiredTags": [...], "approvals": 1, "requireCard": true}');
  return { requiredTags: policy.requiredTags, approvals: policy.approvals, requireCard: policy.requireCard };
}

function parseJson(name: string, raw: string) {
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

export function loadConfig(env: Env): Config {
  return {
    port: integer(env, 'PORT', 5000),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.PEDIGREE_DATA_DIR || './.pedigree',
    maxEventBytes: integer(env, 'PEDIGREE_MAX_EVENT_BYTES', 20 * 1024 * 1024),
    maxBatchBytes: integer(env, 'PEDIGREE_MAX_BATCH_BYTES', 1024 ** 3),
    maxInflationRatio: integer(env, 'PEDIGREE_MAX_INFLATION_RATIO', 200),
    strict: boolean(env, 'PEDIGREE_STRICT', false),
    principals: principals(env),
    policy: promotionPolicy(env),
    databasePoolSize: integer(env, 'PEDIGREE_DB_POOL', 10),
    writeConcurrency: env.PEDIGREE_WRITE_CONCURRENCY ? integer(env, 'PEDIGREE_WRITE_CONCURRENCY', 2) : undefined,
    normalize: {
      batchEvents: env.PEDIGREE_NORMALIZE_BATCH ? integer(env, 'PEDIGREE_NORMALIZE_BATCH', 2000) : undefined,
      concurrency: integer(env, 'PEDIGREE_NORMALIZE_CONCURRENCY', 1),
      waitSeconds: integer(env, 'PEDIGREE_NORMALIZE_WAIT_SECONDS', 30),
    },
    mlflow: {
      namespace: env.PEDIGREE_MLFLOW_NAMESPACE?.trim() || 'mlflow',
      artifactRoot: (env.PEDIGREE_MLFLOW_ARTIFACT_ROOT?.trim() || './mlruns').replace(/\/+$/, ''),
    },
    metrics: {
      public: boolean(env, 'PEDIGREE_METRICS_PUBLIC', false),
      maxProducers: integer(env, 'PEDIGREE_METRICS_MAX_PRODUCERS', 100),
    },
    retentionDays: env.PEDIGREE_RETENTION_DAYS ? integer(env, 'PEDIGREE_RETENTION_DAYS', 90) : undefined,
  };
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}
