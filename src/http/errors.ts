import type { Context } from 'hono';
import { DomainError, type DomainErrorKind } from '../core/errors';
import { isDatabaseUnavailable, isRefusedValue } from '../db/errors';
import { ImportInterrupted } from '../ingest/import';
import { databaseUnavailable, Problem } from './problem';

/** Where MLflow's REST API is served: its clients parse `{error_code, message}`, not problem+json. */
export const MLFLOW_PREFIX = '/api/2.0/mlflow';

/**
 * Every path an MLflow client calls: its 2.0 API, its artifact store (`mlflow-artifacts`) and its 3.0 API
 * (traces, scorers: not served, but the client falls back from them only on ENDPOINT_NOT_FOUND).
 */
export const isMlflowPath = (path: string) => /^\/api\/[23]\.0\/mlflow(?:-artifacts)?\//.test(path);

/** Each kind of domain error as an HTTP status, a title and MLflow's error code. */
const DOMAIN: Record<DomainErrorKind, { status: number; title: string; code: string }> = {
  notFound: { status: 404, title: 'Not Found', code: 'RESOURCE_DOES_NOT_EXIST' },
  invalid: { status: 400, title: 'Bad Request', code: 'INVALID_PARAMETER_VALUE' },
  // MLflow answers 400 to a name taken, and its clients expect it.
  alreadyExists: { status: 400, title: 'Bad Request', code: 'RESOURCE_ALREADY_EXISTS' },
  conflict: { status: 409, title: 'Conflict', code: 'INVALID_STATE' },
  policyRefused: { status: 409, title: 'Conflict', code: 'INVALID_STATE' },
  forbidden: { status: 403, title: 'Forbidden', code: 'PERMISSION_DENIED' },
};

/** MLflow's error codes for the statuses Pedigree answers, when the problem names none. */
const MLFLOW_CODES: Record<number, string> = {
  400: 'INVALID_PARAMETER_VALUE',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  // A 404 that names no resource is a path no route serves: MLflow's clients read a bare 404 as
  // ENDPOINT_NOT_FOUND (mlflow/exceptions.py), and tell it from RESOURCE_DOES_NOT_EXIST, a missing model.
  404: 'ENDPOINT_NOT_FOUND',
  409: 'INVALID_STATE',
  413: 'INVALID_PARAMETER_VALUE',
  415: 'INVALID_PARAMETER_VALUE',
  503: 'TEMPORARILY_UNAVAILABLE',
};

/**
 * Any error as the Problem to answer, or undefined when it is unexpected (a 500, logged by the caller).
 * A domain error's pointer `/x` names the input `x`; here it is placed where this request carried it
 * (`/query/x`, `/path/x`), so a client learns which parameter to fix. Other pointers (bodies, rules of
 * the promotion policy) are kept.
 */
export function problemOf(error: unknown, c: Context): Problem | undefined {
  if (error instanceof Problem) return error;
  if (error instanceof ImportInterrupted) return interrupted(problemOf(error.cause, c), error);
  if (error instanceof DomainError) {
    const { status, title, code } = DOMAIN[error.kind];
    const errors = error.errors?.map((e) => ({ ...e, pointer: placed(e.pointer, c) }));
    return new Problem(status, title, error.message, errors, undefined, code);
  }
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (isRefusedValue(error))
    return new Problem(400, 'Bad Request', 'a value in the request cannot be stored or compared (too long, or not valid text)');
  return undefined;
}

/**
 * A batch stopped part-way answers as its cause does, and says which items were stored: every item
 * before the pointer's index was settled, none from it on was stored.
 */
function interrupted(p: Problem | undefined, e: ImportInterrupted): Problem | undefined {
  if (!p || e.settled === 0) return p;
  const first = { pointer: `/${e.settled}`, message: 'the first item not stored: send again from here (or the whole batch)' };
  return new Problem(p.status, p.title, `${p.detail ?? p.title}; ${e.message}`, [...(p.errors ?? []), first], p.headers, p.code);
}

function placed(pointer: string, c: Context): string {
  const name = /^\/([^/]+)$/.exec(pointer)?.[1];
  if (name === undefined || isMlflowPath(c.req.path)) return pointer;
  if (c.req.query(name) !== undefined) return `/query/${name}`;
  if (c.req.param(name) !== undefined) return `/path/${name}`;
  return pointer;
}

/**
 * The one error rendering: problem+json (with Marquez's `code` and `message`), or MLflow's
 * `{error_code, message}` under the MLflow API, where its clients parse errors.
 */
export function renderProblem(request: Request, p: Problem): Response {
  const path = new URL(request.url).pathname;
  if (isMlflowPath(path)) {
    const body = {
      error_code: p.code ?? MLFLOW_CODES[p.status] ?? 'INTERNAL_ERROR',
      message: p.detail ?? p.title,
      ...(p.errors ? { details: p.errors } : {}),
    };
    return new Response(JSON.stringify(body), { status: p.status, headers: { 'content-type': 'application/json', ...p.headers } });
  }
  const body = {
    type: 'about:blank',
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    instance: path,
    ...(p.errors ? { errors: p.errors } : {}),
    // Marquez's error fields, so clients written for it (the web UI's toasts) show the reason.
    code: p.status,
    message: p.detail ?? p.title,
  };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers },
  });
}
