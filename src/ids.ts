// node:crypto is also there on Cloudflare Workers (nodejs_compat, see wrangler.toml); it hashes several
// times faster than a JS implementation, and hashing is a large part of planning an event.
import * as crypto from 'node:crypto';

/**
 * A digest's bytes as a string of as many characters (latin1). One-shot hashing (`crypto.hash`, Node ≥
 * 20.12) costs half of createHash().update().digest() on the short texts ids are made of, and a string
 * result half again of a Buffer (whose memory is allocated and freed apart): a batch of events hashes
 * hundreds of thousands of ids. Where a runtime lacks it, the streaming API.
 */
const hashOf: (algorithm: 'sha256' | 'md5', text: string, encoding: 'binary' | 'hex') => string =
  typeof crypto.hash === 'function'
    ? (algorithm, text, encoding) => crypto.hash(algorithm, text, encoding)
    : (algorithm, text, encoding) => crypto.createHash(algorithm).update(text).digest(encoding);
/** `binary` is Node's other name for latin1: a character per byte. */
const digestOf = (algorithm: 'sha256' | 'md5', text: string) => hashOf(algorithm, text, 'binary');

/**
 * A deterministic UUID (RFC 9562 version 8) for a natural key. Entities are keyed by the hash of their
 * identity (namespace + name, run + dataset, ...) so that:
 *  - every row of an event can be built before touching the database (no lookups, no RETURNING);
 *  - the primary key is 16 bytes however long a dataset name is (btree keys are limited to ~2.7 KB);
 *  - concurrent writers of the same entity meet on the same key and upsert, never duplicate.
 * Parts are joined with a NUL, which cannot occur in a JSON-decoded identifier we accept.
 */
export function idOf(kind: string, ...parts: string[]): string {
  return version8(digestOf('sha256', `${kind}\u0000${parts.join('\u0000')}`));
}

/**
 * idOf(kind, text) from the UTF-8 bytes of `text`: the same id. An event's id hashes its whole text, and
 * hashing the bytes received costs a quarter of hashing the string decoded from them (which must be
 * encoded again).
 */
export function idOfBytes(kind: string, bytes: Uint8Array): string {
  return version8(crypto.createHash('sha256').update(`${kind}\u0000`).update(bytes).digest('binary'));
}

/** The version and variant bits of RFC 9562 version 8, set over the digest's. */
const version8 = (digest: string) => toUuid(digest, true);

/**
 * The same namespaces, datasets and jobs recur in event after event: their ids are remembered (a bounded
 * map, emptied when full), run-specific ids are not.
 */
const recurring = new Map<string, string>();
function cachedIdOf(kind: string, ...parts: string[]): string {
  const key = `${kind}\u0000${parts.join('\u0000')}`;
  let id = recurring.get(key);
  if (id === undefined) {
    if (recurring.size >= 50_000) recurring.clear();
    id = idOf(kind, ...parts);
    recurring.set(key, id);
  }
  return id;
}

/**
 * Facet contents recur as well (Spark sends the same schema, plan and environment facets on every event
 * of a job): their ids are remembered by name and text, within a budget of text (emptied when over). A
 * lookup hashes and compares the text in V8, several times cheaper than hashing it with SHA-256. Over the
 * bench's 30,000 events, 1 MB finds 93.3% of facets, of the 94.4% that repeat an earlier one; 4 MB, or
 * dropping the least recently used instead of all, 94.1–94.4%.
 */
const facetValueIds = new Map<string, Map<string, string>>();
const FACET_TEXT_BUDGET = 1024 * 1024;
let facetTextKept = 0;
function facetValueId(name: string, json: string): string {
  let byText = facetValueIds.get(name);
  let id = byText?.get(json);
  if (id !== undefined) return id;
  id = idOf('facet_value', name, json);
  // One text of more than a sixteenth of the budget would crowd out the many that recur.
  if (json.length > FACET_TEXT_BUDGET / 16) return id;
  if (facetTextKept + json.length > FACET_TEXT_BUDGET) {
    facetValueIds.clear();
    facetTextKept = 0;
    byText = undefined;
  }
  if (!byText) {
    byText = new Map();
    facetValueIds.set(name, byText);
  }
  byText.set(json, id);
  facetTextKept += json.length;
  return id;
}

export const ids = {
  namespace: (name: string) => cachedIdOf('namespace', name),
  source: (name: string) => cachedIdOf('source', name),
  dataset: (namespace: string, name: string) => cachedIdOf('dataset', namespace, name),
  datasetVersion: (datasetId: string, runId: string) => idOf('dataset_version', datasetId, runId),
  versionKey: (datasetId: string, version: string) => idOf('version_key', datasetId, version),
  datasetField: (datasetId: string, path: string) => cachedIdOf('dataset_field', datasetId, path),
  symlink: (datasetId: string, targetId: string) => idOf('symlink', datasetId, targetId),
  columnEdge: (outDataset: string, outField: string | null, inDataset: string, inField: string | null) =>
    idOf('column_lineage', outDataset, outField ?? '\u0001', inDataset, inField ?? '\u0001'),
  job: (namespace: string, name: string) => cachedIdOf('job', namespace, name),
  jobIo: (jobId: string, direction: 'in' | 'out', datasetId: string) => idOf('job_io', jobId, direction, datasetId),
  runIo: (runId: string, direction: 'in' | 'out', datasetId: string) => idOf('run_io', runId, direction, datasetId),
  runJob: (runId: string) => idOf('run_job', runId),
  inputDataset: (runIoId: string) => idOf('input_dataset', runIoId),
  jobVersion: (jobId: string, version: string) => idOf('job_version', jobId, version),
  /** A facet's content under its name (facet_values): the same facet sent again is the same row. */
  facetValue: (name: string, json: string) => facetValueId(name, json),
};

/**
 * A job version: md5 over the job, its code hash and its sorted IO (`in:<datasetId>`, `out:<datasetId>`).
 * The same formula runs in SQL for runs (src/ingest/job-versions.ts), where the IO is the union over all of
 * a run's events; md5 because Postgres has it built in. Not a security boundary: it names versions.
 */
export function jobVersionOf(jobId: string, codeHash: string | null, io: string[]): string {
  const text = `${jobId}|${codeHash ?? ''}|${[...io].sort().join(',')}`;
  return toUuid(digestOf('md5', text));
}

/** ASCII codes of each byte's two hex digits. */
const HIGH = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i >> 4));
const LOW = Uint8Array.from({ length: 256 }, (_, i) => '0123456789abcdef'.charCodeAt(i & 15));
const uuidCodes: number[] = new Array(36).fill(0);

/**
 * The first 16 bytes of a digest (latin1) as a UUID string, made at once from its character codes: a flat
 * string. Built by concatenation it would be a tree of 20 pieces that every Map lookup and every query
 * parameter must copy into one first.
 */
function toUuid(digest: string, version8 = false): string {
  let o = 0;
  for (let i = 0; i < 16; i++) {
    let b = digest.charCodeAt(i);
    if (version8 && i === 6) b = (b & 0x0f) | 0x80;
    else if (version8 && i === 8) b = (b & 0x3f) | 0x80;
    uuidCodes[o++] = HIGH[b]!;
    uuidCodes[o++] = LOW[b]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) uuidCodes[o++] = 0x2d;
  }
  return String.fromCharCode.apply(null, uuidCodes);
}

/** Hex SHA-256 of a string (content hashes of stored events). */
export function sha256Hex(text: string): string {
  return hashOf('sha256', text, 'hex');
}
