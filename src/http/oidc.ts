import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { OidcConfig } from '../config';
import type { Actor } from './auth';
import { actorOfClaims } from './oidc-claims';
import { Problem } from './problem';

/** How far a token's `exp` and `nbf` may be off the server's clock: enough for clocks kept by NTP, no more. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Asymmetric algorithms only: a key set is public, so a token signed with a shared secret (HS256) or none
 * proves nothing about its issuer.
 */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** How long a client is told to wait when the issuer cannot be reached, and how long that is remembered. */
const RETRY_AFTER_SECONDS = 10;

/** A JWS in compact form (`eyJ…` header, payload, signature): told apart from an API key without parsing it. */
export const looksLikeJwt = (credential: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);

/** What the issuer's discovery document told us, kept for the verifier's life. */
interface Discovered {
  issuer: string;
  keys: JWTVerifyGetKey;
}

/**
 * Verifies Bearer JWTs from the configured OpenID Connect issuer. One per process on Node and one per
 * isolate on Workers (worker.ts keeps it beside the metrics): its discovery document and key set are
 * fetched on first use, not at start-up (a Worker has no start-up, and an issuer down then must not stop
 * Pedigree), and kept. jose's remote key set caches the keys for 10 minutes, refetches once when a token
 * names a key it does not hold (the issuer rotated its keys), and at most every 30 seconds for such
 * tokens, so tokens with made-up key ids cannot make Pedigree hammer the issuer.
 *
 * Errors: a token that is not valid (expired, another issuer or audience, a bad signature, an unknown
 * key) is a 401 with `WWW-Authenticate: Bearer error="invalid_token"`; an issuer that cannot be reached
 * within the timeout is a 503 (retry later), never a hang or a 500.
 */
export class OidcVerifier {
  private discovered: Discovered | undefined;
  /**
   * An unreachable issuer is remembered for as long as its 503 tells clients to wait (Retry-After): the
   * requests meanwhile are answered at once, instead of each holding a connection for the whole timeout
   * and sending the issuer one more request while it is down.
   */
  private unreachable: { until: number; problem: Problem } | undefined;

  constructor(readonly config: OidcConfig) {}

  async verify(token: string): Promise<Actor> {
    const { issuer, keys } = await this.discover();
    // The key lookup is the only step that reaches the issuer: its failures are the issuer's, not the token's.
    const key: JWTVerifyGetKey = async (header, jws) => {
      try {
        return await keys(header, jws);
      } catch (error) {
        if (isTokenError(error)) throw error;
        throw issuerUnavailable(this.config.issuer, 'its keys', error);
      }
    };
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer,
        audience: this.config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      });
      return actorOfClaims(payload, this.config);
    } catch (error) {
      if (error instanceof Problem) throw error;
      throw invalidToken(this.reason(error, token));
    }
  }

  /** The discovery document, fetched once: its `issuer` must be the configured one (OIDC Discovery 4.3). */
  private async discover(): Promise<Discovered> {
    if (this.discovered) return this.discovered;
    if (this.unreachable && Date.now() < this.unreachable.until) throw this.unreachable.problem;
    const configured = this.config.issuer;
    // A terminating slash is removed before the well-known path is appended (OIDC Discovery 4.1).
    const url = `${configured.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.config.timeoutMs) });
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      const problem = issuerUnavailable(configured, 'its discovery document', error);
      this.unreachable = { until: Date.now() + RETRY_AFTER_SECONDS * 1000, problem };
      throw problem;
    }
    this.unreachable = undefined;
    const issuer = typeof document?.issuer === 'string' ? document.issuer : '';
    if (!sameUrl(issuer, configured) || typeof document.jwks_uri !== 'string') {
      // A misconfiguration, not an outage: said plainly, and asked again next time (it may be fixed).
      throw new Problem(503, 'Service Unavailable', `the discovery document at ${url} names issuer "${issuer}" and no usable jwks_uri`);
    }
    const keys = createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: this.config.timeoutMs });
    // Tokens carry the issuer as the issuer itself spells it (a terminating slash or not).
    this.discovered = { issuer, keys };
    return this.discovered;
  }

  /** What is wrong with the token, in words a caller can act on. */
  private reason(error: unknown, token: string): string {
    if (error instanceof errors.JWTExpired) return 'the token has expired';
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.reason === 'missing') return `the token has no "${error.claim}" claim`;
      if (error.claim === 'iss') return `the token was not issued by ${this.config.issuer}`;
      if (error.claim === 'aud') return `the token is not meant for this audience (${this.config.audience})`;
      if (error.claim === 'nbf') return 'the token is not valid yet';
      return `the token's "${error.claim}" claim is not valid`;
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is not valid";
    if (error instanceof errors.JWKSNoMatchingKey) return `no key of the issuer matches the token (kid ${JSON.stringify(kidOf(token))})`;
    if (error instanceof errors.JOSEAlgNotAllowed) return `the token's algorithm is not one of ${ALGORITHMS.join(', ')}`;
    return 'the token is not a valid JWT';
  }
}

/** Errors that say the token is wrong, whatever the issuer's state: anything else from the key lookup is the issuer's. */
function isTokenError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid
  );
}

/** RFC 6750: the client learns that its token, not the request, is the problem, and to get a new one. */
export function invalidToken(detail: string): Problem {
  const description = detail.replace(/["\\]/g, "'");
  return new Problem(401, 'Unauthorized', detail, undefined, {
    'WWW-Authenticate': `Bearer realm="pedigree", error="invalid_token", error_description="${description}"`,
  });
}

function issuerUnavailable(issuer: string, what: string, error: unknown): Problem {
  const cause =
    error instanceof Error
      ? error.name === 'TimeoutError' || error instanceof errors.JWKSTimeout
        ? 'timed out'
        : error.message
      : String(error);
  return new Problem(
    503,
    'Service Unavailable',
    `the OIDC issuer ${issuer} cannot be reached for ${what} (${cause}); retry later`,
    undefined,
    {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    },
  );
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function kidOf(token: string): string | null {
  try {
    return decodeProtectedHeader(token).kid ?? null;
  } catch {
    return null;
  }
}
