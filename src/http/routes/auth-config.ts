import { z } from '@hono/zod-openapi';
import { AUTHENTICATIONS, authenticationOf } from '../auth';
import { declare, router, serve } from '../declare';
import { json } from '../schemas/common';

/**
 * How to authenticate, for a client that has not yet: the web UI learns from it whether to offer a key
 * field, a "Sign in" through the OIDC issuer, or a name for the audit log. Public, and served before
 * authentication (app.ts): nothing in it is secret (a public client's id is in every sign-in URL).
 */
export const authConfigRoutes = router();

const AuthConfig = z
  .object({
    authentication: z.enum(AUTHENTICATIONS).openapi({
      description:
        'what a Bearer credential may be: `keys` (PEDIGREE_PRINCIPALS, PEDIGREE_API_KEYS), `oidc` (PEDIGREE_OIDC_ISSUER), both, or `off` (none asked for; X-Pedigree-Actor names the actor)',
    }),
    oidc: z
      .object({
        issuer: z
          .string()
          .openapi({ description: 'the issuer identifier: its discovery document is at `<issuer>/.well-known/openid-configuration`' }),
        clientId: z.string().openapi({ description: "the web UI's public client: authorization code with PKCE, no secret" }),
        scopes: z.string().openapi({ description: 'the scopes to ask for, space-separated (PEDIGREE_OIDC_UI_SCOPES)' }),
        audience: z.string().openapi({
          description:
            "the `aud` Pedigree requires, sent as the authorization request's `audience` parameter (Auth0 needs it; others ignore it)",
        }),
      })
      .nullable()
      .openapi({ description: 'how the web UI signs in; null unless PEDIGREE_OIDC_ISSUER and PEDIGREE_OIDC_CLIENT_ID are set' }),
  })
  .openapi('AuthConfig');

serve(
  authConfigRoutes,
  declare({
    method: 'get',
    path: '/auth/config',
    scope: 'public',
    summary: 'How to authenticate: API keys, single sign-on through an OIDC issuer, or neither',
    responses: { 200: json(AuthConfig, 'how to authenticate') },
  }),
  (c) => {
    const deps = c.get('deps');
    const oidc = deps.config.oidc;
    return c.json({
      authentication: authenticationOf(deps),
      oidc:
        oidc?.clientId && deps.oidc
          ? {
              issuer: oidc.issuer,
              clientId: oidc.clientId,
              scopes: oidc.uiScopes,
              audience: oidc.audience,
            }
          : null,
    });
  },
);
