/**
 * Single sign-on in the browser (oauth4webapi): authorization code with PKCE against the OIDC issuer
 * Pedigree names (GET /api/v1/auth/config). Loaded on demand: by "Sign in", the callback page, and a
 * token refused.
 */
import * as oauth from 'oauth4webapi';
import { CALLBACK_PATH, type OidcSignIn } from './auth-config';
import { fetchClient } from './client';
import { readSession, writeSession } from './session';

const redirectUri = () => `${window.location.origin}${CALLBACK_PATH}`;

/** What the browser keeps between leaving for the issuer and coming back: PKCE verifier, state, nonce. */
const PENDING = 'pedigree.sign-in';
interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

/** Plain http only for an issuer on loopback (the server refuses any other at start-up). */
const insecure = (issuer: URL) => (issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {});

async function authorizationServer(config: OidcSignIn): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure(issuer)));
}

/** A path of this site only: never an address elsewhere to be sent to after signing in. */
const samePath = (path: string) => (path.startsWith('/') && !path.startsWith('//') && !path.startsWith(CALLBACK_PATH) ? path : '/');

let leaving = false;

/**
 * Leaves for the issuer's authorization endpoint: authorization code with PKCE (S256), a state against
 * forged callbacks and a nonce bound to the ID token. `audience` names Pedigree as the token's audience
 * for issuers that need it (Auth0); the others ignore an unknown parameter (RFC 6749 3.1).
 */
export async function startSignIn(config: OidcSignIn, returnTo = window.location.pathname + window.location.search): Promise<void> {
  // Several refused requests at once start one sign-in, not one each (each would overwrite the state).
  if (leaving) return;
  leaving = true;
  try {
    const as = await authorizationServer(config);
    if (!as.authorization_endpoint) throw new Error(`${config.issuer} publishes no authorization_endpoint`);
    const pending: Pending = {
      verifier: oauth.generateRandomCodeVerifier(),
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      returnTo: samePath(returnTo),
    };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    const url = new URL(as.authorization_endpoint);
    const params = {
      client_id: config.clientId,
      redirect_uri: redirectUri(),
      response_type: 'code',
      scope: config.scopes,
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      audience: config.audience,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    window.location.assign(url.href);
  } catch (error) {
    leaving = false;
    throw error;
  }
}

/**
 * Back from the issuer: checks the state, exchanges the code with the PKCE verifier at the token endpoint
 * and keeps the access token for the browser session. Returns where the user was going.
 */
export async function finishSignIn(config: OidcSignIn, callback: URL): Promise<string> {
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!stored) throw new Error('no sign-in was started in this tab: start again');
  const pending = JSON.parse(stored) as Pending;
  const as = await authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const issuer = new URL(config.issuer);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    insecure(issuer),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  writeSession({ token: tokens.access_token, obtainedAt: Date.now() });
  return pending.returnTo;
}

/** Words for what went wrong in a sign-in: the issuer's error, or oauth4webapi's check that failed. */
export function signInFailure(error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A token refused this soon after it was issued is not expired: Pedigree and the issuer disagree (audience, claims). */
const FRESH_MS = 30_000;

/**
 * An answer of 401 to a request that carried the issuer's token: the token has expired (or was revoked).
 * The user is sent to sign in again and comes back where they were; the issuer, whose own session usually
 * outlives the token, often sends them straight back. A token refused right after it was issued would loop:
 * the session panel says why instead.
 */
export async function tokenRefused(response: Response): Promise<void> {
  const session = readSession();
  if (!session.token) return;
  const detail = await response
    .clone()
    .json()
    // problem+json, or MLflow's {error_code, message} under /api/2.0/mlflow
    .then((p: { detail?: string; message?: string }) => p.detail ?? p.message ?? '')
    .catch(() => '');
  if (Date.now() - (session.obtainedAt ?? 0) < FRESH_MS) {
    writeSession({ signInError: `Pedigree refused the token the issuer just gave${detail ? `: ${detail}` : ''}` });
    return;
  }
  writeSession({});
  const { data } = await fetchClient.GET('/api/v1/auth/config');
  if (data?.oidc) await startSignIn(data.oidc);
}
