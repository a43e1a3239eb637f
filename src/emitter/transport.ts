/**
 * POSTing one JSON document to an OpenLineage HTTP endpoint, the way a job should: gzip-compressed, with a
 * timeout per attempt, and retried with backoff only when retrying can help (no answer, 429, 5xx). Uses only
 * web-standard globals (fetch, AbortController, CompressionStream), so it runs on Node 20 and elsewhere.
 */

export interface TransportOptions {
  /** The full URL posted to. */
  url: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxDelayMs: number;
  /** Compress bodies of at least this many bytes; undefined: never. */
  gzipFromBytes: number | undefined;
  /** Ask Pedigree to answer once the event is normalized (`Prefer: wait=normalized`). */
  waitNormalized?: boolean;
  fetch: typeof fetch;
}

/** A place where an event deviates from the spec (RFC 6901 pointer into the event), as Pedigree reports it. */
export interface Deviation {
  pointer: string;
  message: string;
}

/** An RFC 9457 problem+json body, as Pedigree answers errors. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** Pedigree: what is wrong with the event, and where. */
  errors?: Deviation[];
  [key: string]: unknown;
}

/** The answer to an accepted event. */
export interface EmitResult {
  /** The HTTP status: 201 from Pedigree. */
  status: number;
  /** The id Pedigree stored the event under (when the endpoint answers one). */
  id?: string;
  /** Where the event deviates from the spec; Pedigree stored it anyway. Empty when none (or not reported). */
  warnings: Deviation[];
  /** The whole response body: parsed when JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

/** An event that was not accepted: refused (a 4xx other than 429), or still failing after every retry. */
export class EmitError extends Error {
  override readonly name = 'EmitError';
  constructor(
    message: string,
    /** The last HTTP status; undefined when no answer came (network error or timeout). */
    readonly status: number | undefined,
    /** The last answer's body when it was a JSON object (problem+json from Pedigree). */
    readonly problem: ProblemDetails | undefined,
    /** How many requests were made. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What one attempt came to. */
type Outcome =
  | { done: EmitResult }
  | { refused: EmitError }
  /** Worth another try; `retryAfterMs` when the server said when. */
  | { failed: EmitError; retryAfterMs?: number };

/** Sends `document`; resolves once accepted (2xx), rejects with an EmitError otherwise. */
export async function post(document: unknown, options: TransportOptions): Promise<EmitResult> {
  const json = new TextEncoder().encode(JSON.stringify(document));
  const compress = options.gzipFromBytes !== undefined && json.byteLength >= options.gzipFromBytes;
  const body = compress ? await gzip(json) : json;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, application/problem+json' };
  if (compress) headers['content-encoding'] = 'gzip';
  if (options.waitNormalized) headers.prefer = 'wait=normalized';
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(body, headers, attempt, options);
    if ('done' in outcome) return outcome.done;
    if ('refused' in outcome) throw outcome.refused;
    if (attempt > options.retries) throw outcome.failed;
    await sleep(outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, options.maxDelayMs) : backoff(attempt, options));
  }
}

async function attemptOnce(
  body: Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
  attempt: number,
  options: TransportOptions,
): Promise<Outcome> {
  const controller = new AbortController();
  // The timeout covers the whole exchange, the response body included: a server that answers its headers and
  // then stalls must not hold the job forever either.
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const response = await options.fetch(options.url, { method: 'POST', headers, body, signal: controller.signal });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    text = await response.text();
  } catch (e) {
    const why = controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : `the request failed: ${describe(e)}`;
    return { failed: new EmitError(`POST ${options.url}: ${why}`, undefined, undefined, attempt, { cause: e }) };
  } finally {
    clearTimeout(timer);
  }

  const parsed = parseBody(text);
  if (status >= 200 && status < 300) return { done: accepted(status, parsed) };
  const problem = isRecord(parsed) ? (parsed as ProblemDetails) : undefined;
  const error = new EmitError(`POST ${options.url} answered ${status}${summary(problem, text)}`, status, problem, attempt);
  // 429 and 5xx are the server's state and may pass; any other answer would be the same next time.
  if (status !== 429 && status < 500) return { refused: error };
  return { failed: error, retryAfterMs: parseRetryAfter(retryAfter) };
}

function accepted(status: number, body: unknown): EmitResult {
  const result: EmitResult = { status, warnings: [], body };
  if (isRecord(body)) {
    if (typeof body.id === 'string') result.id = body.id;
    if (Array.isArray(body.warnings)) result.warnings = body.warnings as Deviation[];
  }
  return result;
}

/** Exponential backoff with jitter: about backoffMs, 2×, 4×, … (half fixed, half random, so that jobs failing together do not retry together), capped. */
function backoff(attempt: number, options: TransportOptions): number {
  const delay = Math.min(options.backoffMs * 2 ** (attempt - 1), options.maxDelayMs);
  return delay / 2 + (Math.random() * delay) / 2;
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** ": title: detail (pointer: message; …)" of a problem, or the start of a non-JSON body. */
function summary(problem: ProblemDetails | undefined, text: string): string {
  if (!problem) return text ? `: ${text.slice(0, 200)}` : '';
  const head = [problem.title, problem.detail].filter((s) => typeof s === 'string' && s).join(': ');
  const errors = Array.isArray(problem.errors) ? problem.errors.slice(0, 5).map((e) => `${e.pointer || '/'}: ${e.message}`) : [];
  return `${head ? `: ${head}` : ''}${errors.length ? ` (${errors.join('; ')})` : ''}`;
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // undici reports "fetch failed" with the reason (ECONNREFUSED, ...) as the cause.
  return e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
