import { invalid } from '../core/errors';

/**
 * MLflow's limits and checks on what clients log (mlflow/utils/validation.py), with its messages, so that
 * a client gets from Pedigree the INVALID_PARAMETER_VALUE its server would give. One difference: MLflow's
 * server truncates a parameter or tag value over its limit when MLFLOW_TRUNCATE_LONG_VALUES is on (its
 * default); Pedigree refuses it, as MLflow does with the setting off, rather than store a value that is
 * not the one logged.
 */
export const LIMITS = {
  paramsTagsPerBatch: 100,
  metricsPerBatch: 1000,
  entitiesPerBatch: 1000,
  datasetsPerBatch: 1000,
  batchRequestBytes: 1_000_000,
  paramValue: 6000,
  tagValue: 8000,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  entityKey: 250,
  datasetName: 500,
  datasetDigest: 36,
  datasetSchema: 1_048_575,
  datasetSource: 65_535,
  datasetProfile: 16_777_215,
  inputTagKey: 255,
  inputTagValue: 500,
} as const;

const json = (v: unknown) => JSON.stringify(v ?? null);
/** MLflow names a place `metrics[2].value`; the problem's pointer is `/metrics/2/value`. */
const pointerOf = (path: string) =>
  `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .join('/')}`;
const invalidValue = (path: string, value: unknown, message?: string) =>
  invalid(pointerOf(path), `Invalid value ${json(value)} for parameter '${path}' supplied${message ? `: ${message}` : '.'}`);
export const missingValue = (path: string) => invalid(pointerOf(path), `Missing value for required parameter '${path}'.`);
const tooLong = (what: string, limit: number, path: string) =>
  invalid(pointerOf(path), `'${what}' exceeds the maximum length of ${limit} characters`);

const NAME = /^[/\w.\- :]*$/u;
const BAD_CHARACTER =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

/** Names may be file names in MLflow's stores: `a/../b`, `.`, `/a` are refused (posixpath.normpath). */
function normalizesAway(name: string): boolean {
  if (name.startsWith('/')) return true;
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0 || parts.at(-1) === '..') parts.push('..');
      else parts.pop();
    } else parts.push(p);
  }
  const norm = parts.join('/') || '.';
  return norm !== name || norm === '.' || norm.startsWith('..');
}

/** A param, metric or tag key: MLflow's characters, not resolving to another name as a path. */
export function checkKey(key: unknown, path: string, what: string): string {
  if (key === undefined || key === null || key === '') throw missingValue(path);
  if (typeof key !== 'string') throw invalidValue(path, key);
  if (!NAME.test(key)) throw invalidValue(path, key, BAD_CHARACTER);
  if (normalizesAway(key))
    throw invalidValue(
      path,
      key,
      'Names may be treated as files in certain cases, and must not resolve to other names when treated as such.',
    );
  if (key.length > LIMITS.entityKey) throw tooLong(what, LIMITS.entityKey, path);
  return key;
}

/** A text value (absent is empty, as MLflow's proto reads it); numbers are taken as their text. */
export function checkText(value: unknown, path: string, what: string, limit: number): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof text !== 'string') throw invalidValue(path, value);
  if (text.length > limit) throw tooLong(what, limit, path);
  return text;
}

/** A metric value: a number, or the text protobuf's JSON uses for the ones JSON lacks. */
export function checkMetricValue(value: unknown, path: string, key: string): number {
  if (value === undefined || value === null) throw missingValue(path);
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw invalidValue(path, value, `metric '${key}': Please specify value as a valid double (64-bit floating point)`);
}

/** A 64-bit integer field (timestamp, step): a number or its text, as protobuf's JSON sends int64. */
export function checkLong(value: unknown, path: string, fallback: number | undefined, options: { min?: number } = {}): number {
  if (value === undefined || value === null || value === '') {
    if (fallback === undefined) throw missingValue(path);
    return fallback;
  }
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || (options.min !== undefined && n < options.min))
    throw invalidValue(path, value, options.min === 0 ? 'must be a nonnegative long (64-bit integer)' : 'must be a long (64-bit integer)');
  return n;
}

/** A run id: MLflow's are 32 hex digits; a dashed UUID is taken as the same run. */
export function checkRunId(body: { run_id?: unknown; run_uuid?: unknown }): string {
  const raw = body.run_id || body.run_uuid;
  if (raw === undefined || raw === null || raw === '') throw missingValue('run_id');
  if (typeof raw !== 'string') throw invalidValue('run_id', raw);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) return raw.replace(/-/g, '').toLowerCase();
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(raw)) throw invalidValue('run_id', raw);
  return raw;
}

/** An experiment id: MLflow's are integers, sent as text. */
export function checkExperimentId(value: unknown, path = 'experiment_id'): number {
  if (value === undefined || value === null || value === '') throw missingValue(path);
  const text = String(value).trim();
  if (!/^\d{1,18}$/.test(text)) throw invalid(pointerOf(path), `Invalid experiment ID: '${String(value)}'`);
  return Number(text);
}

export function checkBatchLimit(what: string, limit: number, length: number) {
  if (length > limit)
    throw invalid(
      pointerOf(what.split(',')[0]!),
      `A batch logging request can contain at most ${limit} ${what}. Got ${length} ${what}. Please split up ${what} across multiple requests and try again.`,
    );
}

/** `[{key, value}]` checked as tags (MLflow's `_validate_tag`) at `path[i]`. */
export function checkTags(list: unknown, path: string, limit: number = LIMITS.tagValue): { key: string; value: string }[] {
  return objectList(
    list,
    path,
    (t, at) => ({ key: checkKey(t.key, `${at}.key`, `${at}.key`), value: checkText(t.value, `${at}.value`, `${at}.value`, limit) }),
    'must be a list of {key, value}',
  );
}

/**
 * A list of objects, each checked by `item` with its own path (`datasets[1]`): absent is empty; anything
 * but an array of objects is refused as protobuf's JSON parser would refuse it.
 */
export function objectList<T>(
  value: unknown,
  path: string,
  item: (o: Record<string, unknown>, at: string) => T,
  /** What a value that is not a list is told. */
  notAList?: string,
): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(path, value, notAList);
  return value.map((o, i) => {
    const at = `${path}[${i}]`;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalidValue(at, o);
    return item(o as Record<string, unknown>, at);
  });
}

/** A boolean member that may be absent. */
export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidValue(path, value);
  return value;
}

/** A text member that may be absent (empty is absent). */
export function optionalText(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(pointerOf(path), `Invalid value ${json(value)} for parameter '${path}' supplied.`);
  return value;
}

/** A list of texts: an array in a body, repeated in a query string, a lone value as one item. */
export function textList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') throw invalid(pointerOf(`${path}[${i}]`), `Invalid value ${json(v)} for parameter '${path}' supplied.`);
    return v;
  });
}
