import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { NormalizerControl } from '../ingest/normalizer';
import type { EventWriter } from '../ingest/writer';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Actor } from './auth';
import type { OidcVerifier } from './oidc';

/** What every request can reach, set once per app (never module globals). */
export interface Deps {
  db: Db;
  writer: EventWriter;
  /** Normalizes what the writer accepted; requests asking `Prefer: wait=normalized` wait on it. */
  normalizer: NormalizerControl;
  config: Config;
  /** This app's metrics (GET /metrics): the writer given to the app reports to the same. */
  metrics: Metrics;
  /** The process's logger (a Worker isolate's): one line per request, errors with their stack. */
  logger: Logger;
  /** Verifies OIDC tokens when PEDIGREE_OIDC_ISSUER is set: one per process (per isolate on Workers), its keys cached. */
  oidc?: OidcVerifier;
  /** The web UI's files, where the runtime serves them from the app (Node); Workers serve them as assets. */
  ui?: MiddlewareHandler<AppEnv>;
  /**
   * Whether the answers to reads are compressed for the clients that accept it (http/compress.ts): by the
   * Node service; on Workers, Cloudflare's edge compresses them.
   */
  compressReads?: boolean;
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    actor: Actor;
    /** X-Request-Id: the caller's, or made for the request (http/request-log.ts). */
    requestId: string;
    /** What a route adds to its request's log line (the producer of an ingested event, a batch's counts). */
    logFields?: Record<string, unknown>;
  };
};
