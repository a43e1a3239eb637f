import { sql } from 'drizzle-orm';
import { invalid, notFound } from '../core/errors';
import { UUID } from '../core/uuid';
import type { Db } from '../db/client';
import { selectByKey, uuidArray } from '../db/sql';
import { ids } from '../ids';
import { notHidden } from './hidden';

/** Node ids as Marquez writes them: `dataset:<ns>:<name>`, `job:<ns>:<name>`, `datasetField:<ns>:<name>:<field>`. */
export const nodeId = {
  dataset: (namespace: string, name: string) => `dataset:${namespace}:${name}`,
  job: (namespace: string, name: string) => `job:${namespace}:${name}`,
  field: (namespace: string, name: string, field: string) => `datasetField:${namespace}:${name}:${field}`,
  /** A Pedigree extension: a run, drawn beside its job with its exact input and output versions. */
  run: (id: string) => `run:${id}`,
};

/** The run a `run:<uuid>` node id names (lower case), or undefined when `raw` is not a run node id. */
export function parseRunNodeId(raw: string): string | undefined {
  if (!raw.startsWith('run:')) return undefined;
  const id = raw.slice('run:'.length);
  if (!UUID.test(id)) throw invalid('/nodeId', 'expected run:<uuid>', `nodeId "${raw}" does not name a run id (a UUID)`);
  return id.toLowerCase();
}

export type NodeRef =
  | { type: 'dataset'; id: string; namespace: string; name: string }
  | { type: 'job'; id: string; namespace: string; name: string }
  | { type: 'datasetField'; id: string; namespace: string; name: string; field: string };

/** Field node ids have a candidate per pair of colons: past this many, refuse rather than go quadratic. */
const MAX_COLONS = 100;
const KINDS = ['dataset', 'job', 'datasetField'] as const;

/**
 * Resolves a node id against what is stored. Namespaces and names both contain colons
 * (`dataset:postgres://db:5432:public.orders`, `dataset:gs://bucket:file.csv`), so the id cannot be split
 * naively: every split is a candidate, each candidate's entity id is computed (ids are hashes of natural
 * keys) and one query tells which exist. If several do, the longest namespace wins.
 */
export async function resolveNodeId(db: Db, raw: string): Promise<NodeRef> {
  const colon = raw.indexOf(':');
  const kind = KINDS.find((k) => k === raw.slice(0, colon));
  if (colon < 0 || !kind) {
    throw invalid(
      '/nodeId',
      `unknown node type in "${raw}"`,
      'nodeId must start with dataset:, job:, datasetField:, model:, deployment: or run:',
    );
  }
  const rest = raw.slice(colon + 1);
  const colons = rest.split(':').length - 1;
  const candidates = colons > MAX_COLONS ? [] : splits(rest, kind === 'datasetField' ? 3 : 2);
  if (candidates.length === 0) {
    throw invalid(
      '/nodeId',
      `expected ${kind}:<namespace>:<name>${kind === 'datasetField' ? ':<field>' : ''}`,
      `nodeId is not a valid ${kind} node id`,
    );
  }
  const table = kind === 'job' ? sql`jobs` : sql`datasets`;
  const idOf = (c: string[]) => (kind === 'job' ? ids.job(c[0]!, c[1]!) : ids.dataset(c[0]!, c[1]!));
  // Prepared: a lookup by key, the same plan for every node id (each graph request starts here).
  const found = new Set(
    (
      await selectByKey<{ id: string }>(
        db,
        sql`select id from ${table} t where id = any(${uuidArray(candidates.map(idOf))}) and ${notHidden('t.id')}`,
      )
    ).map((r) => r.id),
  );
  const hit = candidates.filter((c) => found.has(idOf(c))).sort((a, b) => b[0]!.length - a[0]!.length)[0];
  if (!hit) throw notFound(`no ${kind === 'job' ? 'job' : 'dataset'} matches node id "${raw}"`);
  const [namespace, name, field] = hit as [string, string, string?];
  if (kind === 'datasetField') return { type: kind, id: idOf(hit), namespace, name, field: field! };
  return { type: kind, id: idOf(hit), namespace, name };
}

/** Every way to cut `s` at colons into `parts` non-empty pieces. */
function splits(s: string, parts: number): string[][] {
  if (parts === 1) return s === '' ? [] : [[s]];
  const out: string[][] = [];
  for (let i = s.indexOf(':'); i >= 0; i = s.indexOf(':', i + 1)) {
    if (i === 0) continue;
    for (const tail of splits(s.slice(i + 1), parts - 1)) out.push([s.slice(0, i), ...tail]);
  }
  return out;
}
