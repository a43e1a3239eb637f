import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../config';
import { scopesOf } from '../auth';
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
    authenticated: z.boolean().openapi({ description: 'a Bearer key identified the caller' }),
    authentication: z
      .enum(['keys', 'off'])
      .openapi({ description: '`keys` when PEDIGREE_PRINCIPALS or PEDIGREE_API_KEYS is set; `off`: no key is asked for' }),
  })
  .openapi('Me');

serve(
  meRoutes,
  declare({
    method: 'get',
    path: '/me',
    // Any principal may ask who it is, whatever its scopes: one with `ingest` alone learns it cannot read.
    scope: 'authenticated',
    summary: 'The caller: its name, the scopes it may use, and whether keys are configured',
    description: 'Needs a valid key when keys are configured, and no particular scope.',
    responses: {
      200: json(Me, 'the caller'),
      401: problem('a missing or unknown API key (when keys are configured)'),
    },
  }),
  (c) => {
    const actor = c.get('actor');
    return c.json({
      name: actor.name,
      scopes: scopesOf(actor),
      authenticated: actor.authenticated,
      authentication: c.get('deps').config.principals.length > 0 ? ('keys' as const) : ('off' as const),
    });
  },
);
