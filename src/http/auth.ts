import type { MiddlewareHandler } from 'hono';
import { type Principal, SCOPES, type Scope } from '../config';
import type { AppEnv } from './context';
import { Problem } from './problem';

/** Who is calling: the principal of the Bearer key, or (authentication off) whoever the caller says. */
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

/**
 * Bearer API keys (as the OpenLineage clients' `api_key` auth and MLflow's tracking token send them),
 * each mapped to a named principal with scopes. Off when no key is configured. Which scope a request
 * needs is its route's declaration (http/declare.ts).
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principals = c.get('deps').config.principals;
  if (principals.length === 0) {
    c.set('actor', selfNamed(c.req.header('x-pedigree-actor')));
    return next();
  }
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const principal: Principal | undefined = m ? principals.find((p) => sameKey(p.key, m[1]!.trim())) : undefined;
  if (!principal) {
    throw new Problem(
      401,
      'Unauthorized',
      m ? 'the API key is not valid' : 'an API key is required (Authorization: Bearer <key>)',
      undefined,
      {
        'WWW-Authenticate': 'Bearer realm="pedigree"',
      },
    );
  }
  c.set('actor', { name: principal.name, scopes: principal.scopes, authenticated: true });
  return next();
};
