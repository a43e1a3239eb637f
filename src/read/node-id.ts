import { type SQL, sql } from 'drizzle-orm';
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

/** A node id's possible readings, the longest namespace first: which of them is stored decides. */
export interface NodeCandidates {
  raw: string;
  kind: (typeof KINDS)[number];
  /** Entity ids (of jobs, or of datasets for both dataset kinds), one per reading, in order of preference. */
  ids: string[];
  readings: { namespace: string; name: string; field?: string }[];
}

/**
 * A node id's readings. Namespaces and names both contain colons (`dataset:postgres://db:5432:public.orders`,
 * `dataset:gs://bucket:file.csv`), so the id cannot be split naively: every split is a candidate, and each
 * candidate's entity id is computed (ids are hashes of natural keys), for one query to tell which exist.
 * If several do, the longest namespace wins. Refuses (400) an id that names no kind or cannot be split.
 */
export function nodeCandidates(raw: string): NodeCandidates {
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
  const cuts = colons > MAX_COLONS ? [] : splits(rest, kind === 'datasetField' ? 3 : 2);
  if (cuts.length === 0) {
    throw invalid(
      '/nodeId',
      `expected ${kind}:<namespace>:<name>${kind === 'datasetField' ? ':<field>' : ''}`,
      `nodeId is not a valid ${kind} node id`,
    );
  }
  const readings = cuts
    .map(([namespace, name, field]) => ({ namespace: namespace!, name: name!, ...(field === undefined ? {} : { field }) }))
    .sort((a, b) => b.namespace.length - a.namespace.length);
  const idOf = kind === 'job' ? ids.job : ids.dataset;
  return { raw, kind, ids: readings.map((r) => idOf(r.namespace, r.name)), readings };
}

/** The node of the reading storedReading chose (its `ord`, 1-based; none: 404). */
export function chosenNode(c: NodeCandidates, ord: number | string | null | undefined): NodeRef {
  const stored = ord === null || ord === undefined ? undefined : Number(ord) - 1;
  const hit = stored === undefined ? undefined : c.readings[stored];
  if (!hit) throw notFound(`no ${c.kind === 'job' ? 'job' : 'dataset'} matches node id "${c.raw}"`);
  const { namespace, name, field } = hit;
  const id = c.ids[stored!]!;
  if (c.kind === 'datasetField') return { type: c.kind, id, namespace, name, field: field! };
  return { type: c.kind, id, namespace, name };
}

/**
 * The first of a node id's readings stored and not hidden, as a subquery of one column `ord` (1-based,
 * one row or none): for a statement that resolves its start itself, without a round trip of its own.
 */
export function storedReading(c: NodeCandidates): SQL {
  const table = c.kind === 'job' ? sql`jobs` : sql`datasets`;
  return sql`select c.ord from unnest(${uuidArray(c.ids)}) with ordinality c(id, ord)
    join ${table} t on t.id = c.id where ${notHidden('t.id')} order by c.ord limit 1`;
}

/** Resolves a node id against what is stored (nodeCandidates, one query, chosenNode). */
export async function resolveNodeId(db: Db, raw: string): Promise<NodeRef> {
  const c = nodeCandidates(raw);
  // Prepared: a lookup by key, the same plan for every node id (each graph request starts here).
  const [found] = await selectByKey<{ ord: number | string }>(db, storedReading(c));
  return chosenNode(c, found?.ord);
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
