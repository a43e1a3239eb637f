import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../config';
import { AUTHENTICATIONS, authenticationOf, scopesOf } from '../auth';
import { declare, router, serve } from '../declare';
import { json, problem } from '../schemas/common';

/** Who is calling: what a client (the web UI) needs to offer only what the caller may do. */
export const meRoutes = router();

const Me = z
  .object({
    name: z.string().openapi({ description: "the principal's name; with authentication off, X-Pedigree-Actor (default `anonymous`)" }),
    scopes: z
      .array(z.enum(SCOPES))
      .openapi({ description: 'every scope the caller may use: `admin` implies, and lists, all of them; with authentication off, all' }),
    authenticated: z.boolean().openapi({ description: 'a Bearer key or OIDC token identified the caller' }),
    authentication: z.enum(AUTHENTICATIONS).openapi({
      description:
        '`keys` when PEDIGREE_PRINCIPALS or PEDIGREE_API_KEYS is set, `oidc` when PEDIGREE_OIDC_ISSUER is, `keys+oidc` for both; `off`: no credential is asked for',
    }),
  })
  .openapi('Me');

serve(
  meRoutes,
  declare({
    method: 'get',
    path: '/me',
    // Any principal may ask who it is, whatever its scopes: one with `ingest` alone learns it cannot read.
    scope: 'authenticated',
    summary: 'The caller: its name, the scopes it may use, and how callers authenticate',
    description:
      "Needs a valid key or OIDC token when authentication is on, and no particular scope. An OIDC token's principal is its `email` (else `sub`), its scopes those its PEDIGREE_OIDC_SCOPES_CLAIM grants.",
    responses: {
      200: json(Me, 'the caller'),
      401: problem('a missing or unknown API key, or an OIDC token that is not valid (when authentication is on)'),
      503: problem('the OIDC issuer cannot be reached to verify a token (Retry-After is set)'),
    },
  }),
  (c) => {
    const actor = c.get('actor');
    return c.json({
      name: actor.name,
      scopes: scopesOf(actor),
      authenticated: actor.authenticated,
      authentication: authenticationOf(c.get('deps')),
    });
  },
);
