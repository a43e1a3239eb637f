/**
 * What a database error means, whichever driver raised it (drizzle wraps driver errors in `cause`).
 */

/** The error and its causes, outermost first. */
function* causes(error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = e.cause as typeof e) yield e;
}

/** The SQLSTATE of a server error (e.g. 40P01), if any. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causes(error)) if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

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

/**
 * Errors without a code that say the same: PGlite's, and workerd's sockets (cloudflare:sockets, under
 * postgres.js on Workers), which carry only a message.
 */
const UNAVAILABLE_MESSAGES =
  /PGlite is closed|connection (?:terminated|closed)|database is not ready|cannot connect to the specified address|network connection lost/i;

/** True when the error says the database cannot be reached (worth a retry), not that a query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * True when the database refused a value the request carried (SQLSTATE class 22, data exception: a NUL
 * in text, a number out of range; 54000: a key too long for an index). A safety net behind the request
 * validation: such a request gets a 400, never a 500.
 */
export function isRefusedValue(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code === '54000');
}
