import type { Deviation } from '../core/errors';

/**
 * The one error type of the HTTP layer (authentication, bodies, unknown routes), rendered by
 * `http/errors.ts` as RFC 9457 problem+json. `errors` lists what is wrong, each with the JSON pointer of
 * the place; `code` is MLflow's error code, for answers under the MLflow API.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Deviation[],
    readonly headers?: Record<string, string>,
    readonly code?: string,
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors?: Deviation[]) => new Problem(400, 'Bad Request', detail, errors);
export const notFound = (detail: string) => new Problem(404, 'Not Found', detail);

export const databaseUnavailable = () =>
  new Problem(503, 'Service Unavailable', 'the database cannot be reached; retry later', undefined, { 'Retry-After': '5' });
