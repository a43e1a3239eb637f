import type { Deviation } from '../ingest/pointer';

/**
 * The one error type of the HTTP layer, rendered as RFC 9457 problem+json by the app's onError.
 * `errors` lists what is wrong, each with the JSON pointer of the place.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Deviation[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors?: Deviation[]) => new Problem(400, 'Bad Request', detail, errors);
export const notFound = (detail: string) => new Problem(404, 'Not Found', detail);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
]);

/** True when the error says the database cannot be reached (worth a retry), not that a query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 8;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && /PGlite is closed|connection (?:terminated|closed)|database is not ready/i.test(e.message))
      return true;
  }
  return false;
}

export const databaseUnavailable = () =>
  new Problem(503, 'Service Unavailable', 'the database cannot be reached; retry later', undefined, { 'Retry-After': '5' });
