import type { OpenAPIHono } from '@hono/zod-openapi';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Answers checked against the routes' declarations, as the app publishes them in /openapi.json: each
 * answer's JSON body must match the schema declared for its operation (the path template it matches),
 * its status and its media type. An object declared with `properties` and without `additionalProperties`
 * (a plain `z.object`) is read as closed, so a member an answer carries but the declaration does not name
 * is a deviation too; `z.looseObject` declares more members allowed. (Closing does not reach the members
 * of an `allOf`, which no declaration uses today.)
 */

type Json = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const isJson = (media: string) => /^application\/([\w.-]+\+)?json$/.test(media);

/** Every object schema under `node` that says nothing of other members, closed (not `allOf` members: they add up). */
function close(node: unknown, closable = true): unknown {
  if (Array.isArray(node)) return node.map((n) => close(n));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, close(s)]));
    else if (k === 'allOf' && Array.isArray(v)) out[k] = v.map((member) => close(member, false));
    else out[k] = close(v);
  }
  if (closable && [out.type].flat().includes('object') && out.properties && !('additionalProperties' in out))
    out.additionalProperties = false;
  return out;
}

export class DeclaredAnswers {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  /** The JSON schemas of the answers, each by `method template status media`. */
  private readonly answers = new Map<string, number>();
  private readonly templates: { template: string; pattern: RegExp; variables: number }[];
  /** Operations (`get /api/…/{name}`) answered with a 2xx through request(). */
  readonly succeeded = new Set<string>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    const schemas: unknown[] = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (!METHODS.has(method)) continue;
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          for (const [media, { schema }] of Object.entries(response.content ?? {})) {
            this.answers.set(`${method} ${template} ${status} ${media}`, schemas.length);
            schemas.push(schema ?? {});
          }
        }
      }
    }
    this.ajv.addSchema(close({ components: doc.components ?? {}, answers: schemas }) as Json, 'declared');
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      variables: (template.match(/\{/g) ?? []).length,
    }));
  }

  /** The document `app` serves. */
  static async of(app: { request: OpenAPIHono['request'] }): Promise<DeclaredAnswers> {
    const res = await app.request('/openapi.json');
    if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
    return new DeclaredAnswers((await res.json()) as OpenApiDocument);
  }

  /** The operation a request names: the matching template with the fewest variables (`/alias` before `/{x}`). */
  operation(method: string, path: string): string | undefined {
    const m = method.toLowerCase();
    const found = this.templates
      .filter((t) => t.pattern.test(path) && this.doc.paths[t.template]?.[m])
      .sort((a, b) => a.variables - b.variables)[0];
    return found && `${m} ${found.template}`;
  }

  /** How an answer deviates from its declaration; empty when it matches. */
  deviations(method: string, path: string, status: number, media: string, body: unknown): string[] {
    const operation = this.operation(method, path);
    if (!operation) return [`${method} ${path} is not declared`];
    const [m, template] = operation.split(' ') as [string, string];
    const responses = this.doc.paths[template]![m]!.responses ?? {};
    const declared = [String(status), `${String(status)[0]}XX`, 'default'].find((s) => responses[s]);
    if (!declared) return [`${operation} declares no ${status} answer (only ${Object.keys(responses).join(', ')})`];
    const declaredMedia = Object.keys(responses[declared]!.content ?? {});
    if (body === undefined && declaredMedia.length === 0) return [];
    // A declared media type may carry parameters (`text/plain; version=0.0.4`, GET /metrics): the answer's
    // type is compared without them, as `media` is.
    if (!declaredMedia.some((m) => m.split(';')[0]!.trim() === media))
      return [`${operation} ${status} declares ${declaredMedia.join(', ') || 'no body'}, not ${media || 'no body'}`];
    if (!isJson(media)) return [];
    const validate = this.ajv.getSchema(`declared#/answers/${this.answers.get(`${operation} ${declared} ${media}`)}`)!;
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`,
    );
  }

  /**
   * `app.request`, whose answer must match its declaration: a deviation throws, naming the request and each
   * deviation. The answer is returned unread.
   */
  async request(app: { request: OpenAPIHono['request'] }, path: string, init: RequestInit = {}): Promise<Response> {
    const method = init.method ?? 'GET';
    const res = await app.request(path, init);
    const text = await res.clone().text();
    const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const pathname = new URL(path, 'http://x').pathname;
    const body = text === '' ? undefined : isJson(media) ? JSON.parse(text) : text;
    const deviations = this.deviations(method, pathname, res.status, media, body);
    if (deviations.length) {
      throw new Error(
        `${method} ${path} answered ${res.status}, unlike its declaration:\n  ${deviations.join('\n  ')}\n${text.slice(0, 2000)}`,
      );
    }
    const operation = this.operation(method, pathname);
    if (operation && res.status < 300) this.succeeded.add(operation);
    return res;
  }
}

/** The operations a router declares (`post /api/2.0/mlflow/registered-models/create`), mounted at `prefix`. */
export function declaredRoutes(routes: Pick<OpenAPIHono, 'openAPIRegistry'>, prefix: string): string[] {
  return routes.openAPIRegistry.definitions.flatMap((d) =>
    d.type === 'route' ? [`${d.route.method} ${prefix}${d.route.path === '/' ? '' : d.route.path}`] : [],
  );
}
