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
  /** Reject any deviation from the spec instead of storing the event with warnings. */
  strict: boolean;
  /** Bearer keys accepted on /api; empty means no authentication. */
  apiKeys: string[];
  /** Connections to a real Postgres server. */
  databasePoolSize: number;
  /** Write transactions in flight at once (group commit); unset: 1 for PGlite, 2 for Postgres. */
  writeConcurrency: number | undefined;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  return {
    port: integer(env, 'PORT', 5000),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.PEDIGREE_DATA_DIR || './.pedigree',
    maxEventBytes: integer(env, 'PEDIGREE_MAX_EVENT_BYTES', 20 * 1024 * 1024),
    maxBatchBytes: integer(env, 'PEDIGREE_MAX_BATCH_BYTES', 4 * 1024 ** 3),
    strict: boolean(env, 'PEDIGREE_STRICT', false),
    apiKeys: (env.PEDIGREE_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    databasePoolSize: integer(env, 'PEDIGREE_DB_POOL', 10),
    writeConcurrency: env.PEDIGREE_WRITE_CONCURRENCY ? integer(env, 'PEDIGREE_WRITE_CONCURRENCY', 2) : undefined,
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
