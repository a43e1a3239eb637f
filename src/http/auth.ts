import type { MiddlewareHandler } from 'hono';
import { type Principal, SCOPES, type Scope } from '../config';
import type { AppEnv, Deps } from './context';
import { invalidToken, looksLikeJwt } from './oidc';
import { Problem } from './problem';

/** Who is calling: the principal of the Bearer key or OIDC token, or (authentication off) whoever the caller says. */
export interface Actor {
  name: string;
  scopes: readonly Scope[];
  authenticated: boolean;
}

/** Compares in time independent of where the strings differ. */
function sameKey(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** Whether the actor may use `scope`: `admin` implies every scope. */
export const hasScope = (actor: Pick<Actor, 'scopes'>, scope: Scope) => actor.scopes.includes(scope) || actor.scopes.includes('admin');

/** Every scope the actor may use, in SCOPES' order: `admin` lists them all. */
export const scopesOf = (actor: Pick<Actor, 'scopes'>): Scope[] => SCOPES.filter((s) => hasScope(actor, s));

const MAX_ACTOR = 200;

/** With authentication off, `X-Pedigree-Actor` names the actor recorded in the audit log. */
function selfNamed(header: string | undefined): Actor {
  const name = header?.trim().slice(0, MAX_ACTOR);
  return { name: name || 'anonymous', scopes: SCOPES, authenticated: false };
}

/** How callers authenticate: `off` when neither API keys nor an OIDC issuer is configured. */
export const AUTHENTICATIONS = ['keys', 'oidc', 'keys+oidc', 'off'] as const;
export type Authentication = (typeof AUTHENTICATIONS)[number];

export function authenticationOf(deps: Pick<Deps, 'config' | 'oidc'>): Authentication {
  const keys = deps.config.principals.length > 0;
  if (deps.oidc) return keys ? 'keys+oidc' : 'oidc';
  return keys ? 'keys' : 'off';
}

/**
 * Bearer credentials: API keys (as the OpenLineage clients' `api_key` auth and MLflow's tracking token
 * send them), each mapped to a named principal with scopes, and, with PEDIGREE_OIDC_ISSUER, JWTs from
 * that issuer (http/oidc.ts). A configured key is looked for first (a comparison per key); only a
 * credential shaped like a JWT goes on to the issuer's keys. Off when neither is configured. Which scope
 * a request needs is its route's declaration (http/declare.ts).
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const deps = c.get('deps');
  const { principals } = deps.config;
  if (principals.length === 0 && !deps.oidc) {
    c.set('actor', selfNamed(c.req.header('x-pedigree-actor')));
    return next();
  }
  const m = /^Bearer\s+(.+)$/i.exec((c.req.header('authorization') ?? '').trim());
  const credential = m?.[1]?.trim();
  const accepted = principals.length === 0 ? 'an OIDC token' : deps.oidc ? 'an API key or an OIDC token' : 'an API key';
  if (!credential) {
    throw new Problem(401, 'Unauthorized', `${accepted} is required (Authorization: Bearer <${deps.oidc ? 'token' : 'key'}>)`, undefined, {
      'WWW-Authenticate': 'Bearer realm="pedigree"',
    });
  }
  const principal: Principal | undefined = principals.find((p) => sameKey(p.key, credential));
  if (principal) {
    c.set('actor', { name: principal.name, scopes: principal.scopes, authenticated: true });
    return next();
  }
  if (deps.oidc && looksLikeJwt(credential)) {
    c.set('actor', await deps.oidc.verify(credential));
    return next();
  }
  if (!deps.oidc) throw invalidToken('the API key is not valid');
  throw invalidToken(principals.length ? 'the credential is neither a configured API key nor a JWT' : 'the token is not a JWT');
};
