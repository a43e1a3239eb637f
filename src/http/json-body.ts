import type { Context } from 'hono';
import { nulPointer } from '../core/json';
import { decodeUtf8 } from '../ingest/json';
import { readBody } from './body';
import { badRequest } from './problem';

/** Request bodies of the registry are small documents. */
const MAX_JSON_BODY = 1024 * 1024;

/** The request's JSON object body; `{}` when there is none (MLflow clients send DELETE parameters either way). */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const bytes = await readBody(c.req.raw, { maxBytes: MAX_JSON_BODY });
  if (bytes.byteLength === 0) return {};
  const text = decodeUtf8(bytes);
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the body must be a JSON object', [{ pointer: '', message: 'expected a JSON object' }]);
  }
  const nul = nulPointer(value);
  if (nul !== undefined) throw badRequest('text cannot contain NUL characters', [{ pointer: nul, message: 'contains \\u0000' }]);
  return value as Record<string, unknown>;
}
