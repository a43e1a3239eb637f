import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';
import { Problem } from './problem';

/** Compares in time independent of where the strings differ. */
function sameKey(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Bearer API keys, as the OpenLineage clients' `api_key` auth sends them. Off when no key is configured.
 */
export const apiKeyAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const keys = c.get('deps').config.apiKeys;
  if (keys.length === 0) return next();
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m || !keys.some((k) => sameKey(k, m[1]!.trim()))) {
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
  return next();
};
