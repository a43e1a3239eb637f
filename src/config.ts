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
  log: LogConfig;
  /** Single sign-on: Bearer JWTs from an OpenID Connect issuer, beside the API keys; absent when not configured. */
  oidc: OidcConfig | undefined;
  /**
   * PEDIGREE_RETENTION_DAYS: the Node service deletes, once a day, what is older than this many days and
   * nothing keeps (src/retention). Unset: nothing is deleted but by `pedigree retention`.
   */
  retentionDays: number | undefined;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  /** PEDIGREE_LOG_LEVEL: `info` logs one line per request (health checks and scrapes at `debug`). */
  level: LogLevel;
  /** PEDIGREE_LOG_FORMAT: `json` lines, or `pretty` for a person; unset: pretty on a terminal, else JSON. */
  format: 'json' | 'pretty' | undefined;
}

/**
 * PEDIGREE_OIDC_*: Bearer JWTs from an OpenID Connect issuer are accepted beside the API keys (http/oidc.ts).
 * The principal is the token's `email` (else `sub`), its scopes the values of one claim that name Pedigree
 * scopes behind a prefix (`pedigree:read`).
 */
export interface OidcConfig {
  /** The issuer identifier: its discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The `aud` a token must carry (PEDIGREE_OIDC_AUDIENCE; default: the web UI's client id). */
  audience: string;
  /** The web UI's public client (authorization code + PKCE); without it the UI offers no sign-in. */
  clientId: string | undefined;
  /** The claim listing the caller's scopes: a space-separated string (`scope`) or an array (`roles`); a dotted path reaches a nested one. */
  scopesClaim: string;
  /** A claim value `<prefix><scope>` grants that Pedigree scope (`pedigree:read`); empty: the bare scope names. */
  scopePrefix: string;
  /** The scopes the web UI asks the issuer for. */
  uiScopes: string;
  /** Longest wait for the issuer's discovery document or keys. */
  timeoutMs: number;
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
  /**
   * Whether this process normalizes what it accepts (PEDIGREE_NORMALIZE, on by default). Off, it only
   * accepts: another instance on the same PostgreSQL normalizes the queue (SKIP LOCKED claims), and a
   * request that waits for normalization is told what that instance did. Ingest then scales by adding
   * accepting instances, each of which leaves its CPU to acceptance.
   */
  enabled: boolean;
  /** Most events one normalization transaction takes (PEDIGREE_NORMALIZE_BATCH); unset: 500 for PGlite, 2000 for Postgres. */
  batchEvents: number | undefined;
  /** Normalization transactions in flight at once in one process (PEDIGREE_NORMALIZE_CONCURRENCY). */
  concurrency: number;
  /**
   * How long a batch waits for more events once some are queued, unless a request waits for them
   * (PEDIGREE_NORMALIZE_LINGER_MS); unset: the normalizer's default (ingest/normalizer.ts).
   */
  lingerMs: number | undefined;
  /** Longest a request asking `Prefer: wait=normalized` waits (PEDIGREE_NORMALIZE_WAIT_SECONDS). */
  waitSeconds: number;
  /**
   * Whether the Node service normalizes on a thread of its own (PEDIGREE_NORMALIZE_THREAD,
   * ingest/normalizer-thread.ts); unset: with PostgreSQL when the machine has more than one CPU. PGlite
   * cannot: it normalizes on the thread that holds the database.
   */
  thread: boolean | undefined;
  /**
   * The normalization thread's nice value (PEDIGREE_NORMALIZE_NICE, 0–19, on Linux): acceptance first when
   * both want the CPU. 0 leaves it at the process's priority.
   */
  nice: number;
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

const OIDC_VARS = [
  'PEDIGREE_OIDC_AUDIENCE',
  'PEDIGREE_OIDC_CLIENT_ID',
  'PEDIGREE_OIDC_SCOPES_CLAIM',
  'PEDIGREE_OIDC_SCOPE_PREFIX',
  'PEDIGREE_OIDC_UI_SCOPES',
  'PEDIGREE_OIDC_TIMEOUT_SECONDS',
];

/** Hosts a plain-http issuer may live on: a development issuer on this machine, never one across a network. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** PEDIGREE_OIDC_*: absent without PEDIGREE_OIDC_ISSUER; the others without it are a mistake said at start-up. */
function oidc(env: Env): OidcConfig | undefined {
  const issuer = env.PEDIGREE_OIDC_ISSUER?.trim();
  if (!issuer) {
    const stray = OIDC_VARS.find((name) => env[name]?.trim());
    if (stray) throw new Error(`${stray} is set but PEDIGREE_OIDC_ISSUER is not`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`PEDIGREE_OIDC_ISSUER must be a URL, got "${issuer}"`);
  }
  if (url.search || url.hash) throw new Error(`PEDIGREE_OIDC_ISSUER must have no query or fragment, got "${issuer}"`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error(`PEDIGREE_OIDC_ISSUER must be an https URL (http only on localhost), got "${issuer}"`);
  }
  const clientId = env.PEDIGREE_OIDC_CLIENT_ID?.trim() || undefined;
  const audience = env.PEDIGREE_OIDC_AUDIENCE?.trim() || clientId;
  if (!audience)
    throw new Error('PEDIGREE_OIDC_AUDIENCE is required with PEDIGREE_OIDC_ISSUER (it defaults to PEDIGREE_OIDC_CLIENT_ID, unset too)');
  const scopesClaim = env.PEDIGREE_OIDC_SCOPES_CLAIM?.trim() || 'scope';
  // Set and empty means no prefix: claim values are the bare scope names.
  const scopePrefix = env.PEDIGREE_OIDC_SCOPE_PREFIX?.trim() ?? 'pedigree:';
  if (/\s/.test(scopePrefix)) throw new Error(`PEDIGREE_OIDC_SCOPE_PREFIX must hold no space, got "${scopePrefix}"`);
  // Where the scopes come back in the `scope` claim, the issuer grants only those asked for: ask for them all.
  const asked = scopesClaim === 'scope' || scopesClaim === 'scp' ? SCOPES.map((s) => `${scopePrefix}${s}`) : [];
  const uiScopes = env.PEDIGREE_OIDC_UI_SCOPES?.trim().split(/\s+/).join(' ') || ['openid', 'profile', 'email', ...asked].join(' ');
  if (!uiScopes.split(' ').includes('openid')) throw new Error(`PEDIGREE_OIDC_UI_SCOPES must include openid, got "${uiScopes}"`);
  const timeoutMs = integer(env, 'PEDIGREE_OIDC_TIMEOUT_SECONDS', 5) * 1000;
  return { issuer, audience, clientId, scopesClaim, scopePrefix, uiScopes, timeoutMs };
}

function normalizeHere(env: Env): boolean {
  const enabled = boolean(env, 'PEDIGREE_NORMALIZE', true);
  if (!enabled && !env.DATABASE_URL)
    throw new Error(
      'PEDIGREE_NORMALIZE=off needs DATABASE_URL: another instance on the same PostgreSQL normalizes what this one accepts, and the embedded PGlite has no other',
    );
  return enabled;
}

function normalizeThread(env: Env): boolean | undefined {
  if (!env.PEDIGREE_NORMALIZE_THREAD?.trim()) return undefined;
  const thread = boolean(env, 'PEDIGREE_NORMALIZE_THREAD', false);
  if (thread && !env.DATABASE_URL)
    throw new Error('PEDIGREE_NORMALIZE_THREAD=true needs DATABASE_URL: embedded PGlite normalizes on the thread that holds the database');
  return thread;
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
      enabled: normalizeHere(env),
      batchEvents: env.PEDIGREE_NORMALIZE_BATCH ? integer(env, 'PEDIGREE_NORMALIZE_BATCH', 2000) : undefined,
      concurrency: integer(env, 'PEDIGREE_NORMALIZE_CONCURRENCY', 1),
      lingerMs: env.PEDIGREE_NORMALIZE_LINGER_MS ? integer(env, 'PEDIGREE_NORMALIZE_LINGER_MS', 250, { min: 0, max: 60_000 }) : undefined,
      waitSeconds: integer(env, 'PEDIGREE_NORMALIZE_WAIT_SECONDS', 30),
      thread: normalizeThread(env),
      nice: integer(env, 'PEDIGREE_NORMALIZE_NICE', 10, { min: 0, max: 19 }),
    },
    mlflow: {
      namespace: env.PEDIGREE_MLFLOW_NAMESPACE?.trim() || 'mlflow',
      artifactRoot: (env.PEDIGREE_MLFLOW_ARTIFACT_ROOT?.trim() || './mlruns').replace(/\/+$/, ''),
    },
    metrics: {
      public: boolean(env, 'PEDIGREE_METRICS_PUBLIC', false),
      maxProducers: integer(env, 'PEDIGREE_METRICS_MAX_PRODUCERS', 100),
    },
    log: {
      level: oneOf(env, 'PEDIGREE_LOG_LEVEL', LOG_LEVELS) ?? 'info',
      format: oneOf(env, 'PEDIGREE_LOG_FORMAT', ['json', 'pretty'] as const),
    },
    oidc: oidc(env),
    retentionDays: env.PEDIGREE_RETENTION_DAYS ? integer(env, 'PEDIGREE_RETENTION_DAYS', 90) : undefined,
  };
}

/** An integer setting: positive, or within `range` when one is given. */
function integer(env: Env, name: string, fallback: number, range?: { min: number; max: number }): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  const { min, max } = range ?? { min: 1, max: Number.MAX_SAFE_INTEGER };
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${name} must be ${range ? `an integer from ${min} to ${max}` : 'a positive integer'}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (!values.includes(raw as T)) throw new Error(`${name} must be one of ${values.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}
