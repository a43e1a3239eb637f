import type { JWTPayload } from 'jose';
import { type OidcConfig, SCOPES, type Scope } from '../config';
import type { Actor } from './auth';

/** As long as a self-named actor may be: a name the audit log records, not a document. */
const MAX_NAME = 200;

/**
 * The principal a verified token names: its `email` when it has one (what people recognise in the audit
 * log), else its `sub`. An email the issuer says it has not verified (`email_verified: false`) names no
 * one: anyone could have typed it, so `sub` is used.
 */
export function actorOfClaims(claims: JWTPayload, config: Pick<OidcConfig, 'scopesClaim' | 'scopePrefix'>): Actor {
  const email = typeof claims.email === 'string' && claims.email && claims.email_verified !== false ? claims.email : undefined;
  return {
    name: (email ?? String(claims.sub)).slice(0, MAX_NAME),
    scopes: scopesOfClaim(claimAt(claims, config.scopesClaim), config.scopePrefix),
    authenticated: true,
  };
}

/**
 * A claim by name, or by a dotted path into nested objects (Keycloak's `realm_access.roles`). A name
 * present as it is wins: Auth0's custom claims are URLs, dots included (`https://example.com/roles`).
 */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The Pedigree scopes a claim grants: a space-separated string (OAuth's `scope`) or an array of strings
 * (`roles`, `groups`); a value grants scope `s` when it is exactly `<prefix>s`. Every other value (`openid`,
 * another application's roles) is ignored, as is a claim of any other shape: the principal then has no
 * scope, and may only ask who it is.
 */
export function scopesOfClaim(value: unknown, prefix: string): Scope[] {
  const values = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
  const granted = new Set(values);
  return SCOPES.filter((scope) => granted.has(`${prefix}${scope}`));
}
