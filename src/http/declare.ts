import { OpenAPIHono, type RouteConfig, type RouteHandler, type z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Handler, RouterRoute } from 'hono/types';
import type { Scope } from '../config';
import type { Deviation } from '../core/errors';
import { escapeSegment } from '../core/json';
import { hasScope } from './auth';
import type { AppEnv } from './context';
import { isMlflowPath } from './errors';
import { jsonBody } from './json-body';
import { badRequest, Problem } from './problem';
import type { PrefixRouter } from './router';

/**
 * A route, declared once: method and path, parameter and body schemas, answers, the scope it needs and
 * its summary. Validation, the scope check and /openapi.json all come from the declaration; declared
 * headers are documented only, and read by the handler.
 */
export type Declared = RouteConfig & {
  /**
   * The scope the caller's principal needs; `authenticated`: any principal the keys identify, whatever its
   * scopes (who am I); `public`: no key at all.
   */
  scope: Scope | 'authenticated' | 'public';
  /** The handler reads the body itself (streamed ingest): the declared body documents it, nothing more. */
  readsBody?: true;
};

export const declare = <R extends Declared>(route: R): R => route;

/**
 * A router whose parameter failures are problems naming each parameter (`/query/limit`, `/path/tag`). The
 * routes of a group are copied into the app's (`app.route`): only the app's matches paths (router.ts).
 */
export const router = (matcher?: PrefixRouter<[Handler, RouterRoute]>) =>
  new OpenAPIHono<AppEnv>({ defaultHook: refuseInvalid, ...(matcher ? { router: matcher } : {}) });

/**
 * Serves `route` on `app`. The body is read by Pedigree's reader (size limit, UTF-8, NUL guard, a JSON
 * object whatever the Content-Type, as MLflow and curl clients send it) and then checked against the
 * declared schema; parameters are checked by the library's validators.
 */
export function serve<R extends Declared>(
  app: OpenAPIHono<AppEnv>,
  route: R,
  handler: (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Response | Promise<Response>,
) {
  const { scope, readsBody, ...documented } = route;
  // OpenAPI's way to say "a key, whatever its scopes": the requirement with an empty scope list.
  const security = scope === 'public' ? {} : { security: [{ bearer: scope === 'authenticated' ? [] : [scope] }] };
  app.openAPIRegistry.registerPath({ ...documented, ...security });
  const body = readsBody ? undefined : bodySchema(route);
  // Headers are documented, not validated: the handlers read theirs (a `Prefer`, free text, is all that is
  // declared), and the library's validator copied every header of every request to check them.
  const { body: _body, headers: _headers, ...request } = route.request ?? {};
  const middleware: MiddlewareHandler<AppEnv>[] = [];
  // Authentication itself is the app's, for all of /api (app.ts): here only the scope is checked.
  if (scope !== 'public' && scope !== 'authenticated') middleware.push(requireScope(scope));
  if (body) middleware.push(validatedBody(body));
  const runtime = { ...documented, request, hide: true, middleware };
  app.openapi(runtime as unknown as R, handler as never);
}

function bodySchema(route: Declared): z.ZodType | undefined {
  const media = route.request?.body?.content?.['application/json'] as { schema?: unknown } | undefined;
  const schema = media?.schema as z.ZodType | undefined;
  return schema && typeof schema.safeParse === 'function' ? schema : undefined;
}

/** 403 unless the caller's principal has `scope` (or admin). */
const requireScope =
  (scope: Scope): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const actor = c.get('actor');
    if (!hasScope(actor, scope)) {
      throw new Problem(403, 'Forbidden', `${actor.name} lacks the '${scope}' scope this request needs`);
    }
    await next();
  };

/** Under MLflow's API, parameters may come in the query string of any method (its clients do both). */
const validatedBody =
  (schema: z.ZodType): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const body = await jsonBody(c);
    const value = isMlflowPath(c.req.path) ? { ...c.req.query(), ...body } : body;
    const result = schema.safeParse(value);
    if (!result.success) throw invalidRequest(result.error.issues, 'json');
    c.req.addValidatedData('json', result.data as object);
    await next();
  };

type Target = 'query' | 'param' | 'json' | 'header' | 'cookie' | 'form';

function refuseInvalid(result: { success: boolean; error?: z.ZodError; target: Target }, _c: Context) {
  if (!result.success && result.error) throw invalidRequest(result.error.issues, result.target);
}

/** Where each part of a request is pointed at: a query parameter, a path parameter, the body. */
const ROOTS: Partial<Record<Target, string>> = { query: '/query', param: '/path', header: '/header' };

function invalidRequest(issues: readonly z.core.$ZodIssue[], target: Target): Problem {
  const errors: Deviation[] = issues.map((i) => ({
    // A parameter is named whole (`/query/lastRunStates`, not its n-th value); a body to the member.
    pointer: `${ROOTS[target] ?? ''}${(target === 'json' ? i.path : i.path.slice(0, 1)).map((s) => `/${escapeSegment(String(s))}`).join('')}`,
    message: i.message,
  }));
  const what = (e: Deviation) =>
    target === 'json'
      ? `${e.pointer || 'the body'} ${e.message}`
      : `${target === 'param' ? 'path' : target} parameter "${e.pointer.split('/')[2]}" ${e.message}`;
  return badRequest(errors.map(what).join('; '), errors);
}
