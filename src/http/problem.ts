import type { Deviation } from '../core/errors';
import type { RejectionReason } from '../metrics';

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

/**
 * An ingest body or event refused, with the reason it is counted under (pedigree_events_rejected_total)
 * and, when the event was read, its producer. Counted once, where the request ends (http/metrics.ts).
 */
export class Refusal extends Problem {
  constructor(
    readonly reason: RejectionReason,
    status: number,
    title: string,
    detail?: string,
    errors?: Deviation[],
    readonly producer?: string | null,
  ) {
    super(status, title, detail, errors);
  }
}

export const badRequest = (detail: string, errors?: Deviation[]) => new Problem(400, 'Bad Request', detail, errors);
export const notFound = (detail: string) => new Problem(404, 'Not Found', detail);

export const databaseUnavailable = () =>
  new Problem(503, 'Service Unavailable', 'the database cannot be reached; retry later', undefined, { 'Retry-After': '5' });
