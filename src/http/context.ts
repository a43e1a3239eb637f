import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Normalizer } from '../ingest/normalizer';
import type { EventWriter } from '../ingest/writer';
import type { Metrics } from '../metrics';
import type { Actor } from './auth';
import type { OidcVerifier } from './oidc';

/** What every request can reach, set once per app (never module globals). */
export interface Deps {
  db: Db;
  writer: EventWriter;
  /** Normalizes what the writer accepted; requests asking `Prefer: wait=normalized` wait on it. */
  normalizer: Normalizer;
  config: Config;
  /** This app's metrics (GET /metrics): the writer given to the app reports to the same. */
  metrics: Metrics;
  /** Verifies OIDC tokens when PEDIGREE_OIDC_ISSUER is set: one per process (per isolate on Workers), its keys cached. */
  oidc?: OidcVerifier;
  /** The web UI's files, where the runtime serves them from the app (Node); Workers serve them as assets. */
  ui?: MiddlewareHandler<AppEnv>;
}

export type AppEnv = { Variables: { deps: Deps; actor: Actor } };
