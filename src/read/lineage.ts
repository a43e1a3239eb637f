import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { uuidArray } from '../db/sql';
import { notHidden } from './hidden';
import { memberSpans, stringMember } from './json-text';
import { type NodeRef, nodeId } from './node-id';
import { type DocText, pageRows, spliced, textOf } from './page';
import { currentEdge, type Walk, walkJobs } from './walk';

type Json = Record<string, unknown>;
export interface Edge {
  origin: string;
  destination: string;
}
export interface GraphNode {
  id: string;
  /** MODEL, DEPLOYMENT and RUN nodes are added by the model registry (src/models/graph.ts). */
  type: 'DATASET' | 'JOB' | 'MODEL' | 'DEPLOYMENT' | 'RUN';
  data: Json;
  inEdges: Edge[];
  outEdges: Edge[];
}

/**
 * A node as the graph's answer has it, its data still the JSON text the read models store (documents.ts):
 * spliced into the answer as it is (graphText), parsed only for a caller that edits the graph (graphNodes).
 */
export interface TextNode {
  id: string;
  type: 'DATASET' | 'JOB';
  /**
   * The node's data, JSON text in pieces to be joined: the stored document (as bytes where the driver sends
   * them, see pageRows), a job's cut where its inputs and outputs go in.
   */
  data: DocText[];
  inEdges: Edge[];
  outEdges: Edge[];
}

interface NodeRow {
  id: string;
  namespace: string;
  name: string;
  /** The stored node document, JSON text (or its UTF-8 bytes). */
  doc: DocText;
  /** For a job: where in `doc` (in its characters, or bytes) its `namespace` member ends, after which its inputs and outputs go. */
  ioAt: number;
  /** For a dataset: `{"namespace":…,"name":…}`, as jobs list it (ioText), once written. */
  idText?: string;
}

interface Row {
  edges: [string, string, 'in' | 'out'][];
  jobs: NodeRow[];
  datasets: NodeRow[];
  symlinks: [string, string][];
}

/** A row of the graph's statement: one per node and symlink, one with all the edges (see lineageNodes). */
interface StatementRow {
  kind: 'edges' | 'job' | 'dataset' | 'symlink' | 'alongside';
  id: string | null;
  /** JSON text: a node's document, the edges, a symlink's target id, what was asked alongside. */
  doc: DocText | null;
}

/**
 * The table-level lineage around a dataset or job, in Marquez's graph shape: the jobs the walk reaches
 * (see walk.ts), every dataset they read or write, and those edges. Nodes are sorted by id and edges by
 * (origin, destination), as Marquez does.
 *
 * One statement whatever the graph's size: the walk (planned for its start node), its edges, and each
 * node's data as the read models keep it (documents.ts), one row read by key per node. The documents stay
 * the text they are stored as: most of an answer is their text (a depth-2 graph of 280 nodes is 550 KB),
 * and parsing it only to serialize it again cost more than the walk. They come back a row each (the edges,
 * ids only, in one): a value of hundreds of kilobytes (an aggregate of every document) costs the server and
 * the driver several times what the same bytes cost in rows of a few kilobytes. On PostgreSQL they stay the
 * bytes the driver received (pageRows, as the listings' documents), read only for their name and namespace,
 * and go into the answer as they are: a depth-2 graph's server CPU 11.6–11.9 → 9.2–9.3 ms a request.
 */
export async function lineageNodes<T = unknown>(
  db: Db,
  start: NodeRef,
  options: Omit<Walk, 'jobs' | 'datasets'>,
  /** An expression computed with the walk, over the CTE `walk_jobs` (the graph's jobs). */
  alongside?: SQL,
): Promise<{ nodes: TextNode[]; alongside: T | null }> {
  const walk: Walk = {
    ...options,
    jobs: start.type === 'job' ? [start.id] : [],
    datasets: start.type === 'job' ? [] : [start.id],
  };
  const found = await pageRows<StatementRow>(
    db,
    sql`${walkJobs(walk)},
    g_edges as (
      -- = any(array(...)) probes the index per job: the planner cannot estimate a recursive CTE's size and
      -- would otherwise merge-join the whole edge table against it.
      select e.job_id, e.dataset_id, e.direction from job_io e
      where e.job_id = any(array(select job_id from walk_jobs)) and ${currentEdge(walk.asOf)} and ${notHidden('e.dataset_id')}),
    g_datasets as (select dataset_id from g_edges union select unnest(${uuidArray(walk.datasets)}))
    select 'edges' as kind, null as id, (select json_agg(json_build_array(job_id, dataset_id, direction)) from g_edges)::text as doc
    union all
    select 'job', x.job_id::text, x.node::text from job_documents x where x.job_id = any(array(select job_id from walk_jobs))
    union all
    select 'dataset', x.dataset_id::text, x.node::text from dataset_documents x
      where x.dataset_id = any(array(select dataset_id from g_datasets))
    union all
    select 'symlink', s.dataset_id::text, s.target_id::text from dataset_symlinks s
      where s.dataset_id in (select dataset_id from g_datasets) and s.target_id in (select dataset_id from g_datasets)
    union all
    select 'alongside', null, (${alongside ?? sql`null`})::text`,
  );
  const row: Row = { edges: [], jobs: [], datasets: [], symlinks: [] };
  let extra: T | null = null;
  for (const r of found) {
    if (r.kind === 'job') row.jobs.push(nodeRow(r.id!, r.doc!));
    else if (r.kind === 'dataset') row.datasets.push(nodeRow(r.id!, r.doc!));
    else if (r.doc === null) continue;
    else if (r.kind === 'edges') row.edges = JSON.parse(textOf(r.doc)) as Row['edges'];
    else if (r.kind === 'symlink') row.symlinks.push([r.id!, textOf(r.doc)]);
    else extra = JSON.parse(textOf(r.doc)) as T;
  }
  return { nodes: assemble(row, start.type === 'job' ? undefined : start.id), alongside: extra };
}

/** The same graph as objects, for callers that add nodes and edges to it (the model registry's graphs). */
export async function lineageGraph<T = unknown>(
  db: Db,
  start: NodeRef,
  options: Omit<Walk, 'jobs' | 'datasets'>,
  alongside?: SQL,
): Promise<{ graph: GraphNode[]; alongside: T | null }> {
  const found = await lineageNodes<T>(db, start, options, alongside);
  return { graph: graphNodes(found.nodes), alongside: found.alongside };
}

export const graphNodes = (nodes: TextNode[]): GraphNode[] =>
  nodes.map((n) => ({ ...n, data: JSON.parse(textOf(spliced(n.data))) as Json }));

/**
 * `{"graph": [...]}`, Marquez's answer, as text around each node's stored data: its pieces joined once
 * (each node id quoted once, however many edges name it), into one string, or into bytes when the
 * documents came as bytes (spliced).
 */
export function graphText(nodes: readonly (TextNode | GraphNode)[]): string | Uint8Array<ArrayBuffer> {
  const quoted = new Map<string, string>();
  const quote = (id: string) => {
    let q = quoted.get(id);
    if (q === undefined) {
      q = JSON.stringify(id);
      quoted.set(id, q);
    }
    return q;
  };
  const pieces: DocText[] = ['{"graph":['];
  const edges = (list: Edge[]) => {
    pieces.push('[');
    list.forEach((e, i) => {
      pieces.push(i ? ',{"origin":' : '{"origin":', quote(e.origin), ',"destination":', quote(e.destination), '}');
    });
    pieces.push(']');
  };
  nodes.forEach((n, i) => {
    pieces.push(i ? ',{"id":' : '{"id":', quote(n.id), ',"type":"', n.type, '","data":');
    if (Array.isArray(n.data)) pieces.push(...n.data);
    else pieces.push(JSON.stringify(n.data));
    pieces.push(',"inEdges":');
    edges(n.inEdges);
    pieces.push(',"outEdges":');
    edges(n.outEdges);
    pieces.push('}');
  });
  pieces.push(']}');
  return spliced(pieces);
}

const NODE_MEMBERS = ['name', 'namespace'];

/**
 * A node's row: its id, and from its document its name and namespace, read from the text or the bytes as
 * they came (json-text.ts): the documents are not decoded.
 */
function nodeRow(id: string, doc: DocText): NodeRow {
  const spans = memberSpans(doc, NODE_MEMBERS);
  const namespace = stringMember(doc, spans, 'namespace');
  const name = stringMember(doc, spans, 'name');
  if (namespace === undefined || name === undefined) throw new Error(`the lineage node document of ${id} has no name`);
  return { id, namespace, name, doc, ioAt: spans.get('namespace')!.end };
}

/**
 * Builds Marquez's nodes from the rows. A dataset and its symlinks in the graph become one node (the
 * requested dataset when it is one of them, else the symlink target, e.g. the table over a path), so the
 * lineage through them stays connected.
 */
function assemble(row: Row, startDataset: string | undefined): TextNode[] {
  const datasets = new Map(row.datasets.map((d) => [d.id, d]));
  const rep = representatives(row.symlinks, startDataset);
  const nodes = new Map<string, TextNode>();
  const jobs = new Map<string, NodeRow>();
  const key = new Map<string, string>();
  for (const j of row.jobs) {
    const id = nodeId.job(j.namespace, j.name);
    key.set(j.id, id);
    jobs.set(id, j);
    nodes.set(id, { id, type: 'JOB', data: [j.doc], inEdges: [], outEdges: [] });
  }
  for (const d of datasets.values()) {
    if ((rep.get(d.id) ?? d.id) !== d.id) continue;
    const id = nodeId.dataset(d.namespace, d.name);
    key.set(d.id, id);
    nodes.set(id, { id, type: 'DATASET', data: [d.doc], inEdges: [], outEdges: [] });
  }
  const seen = new Set<string>();
  const io = new Map<string, { inputs: Set<NodeRow>; outputs: Set<NodeRow> }>();
  for (const [jobId, datasetId, direction] of row.edges) {
    const shown = rep.get(datasetId) ?? datasetId;
    const job = key.get(jobId);
    const dataset = key.get(shown);
    if (!job || !dataset) continue;
    const d = datasets.get(shown)!;
    let lists = io.get(job);
    if (!lists) {
      lists = { inputs: new Set(), outputs: new Set() };
      io.set(job, lists);
    }
    // A dataset row stands for one name: a set of rows is the distinct datasets.
    (direction === 'in' ? lists.inputs : lists.outputs).add(d);
    const edge = direction === 'in' ? { origin: dataset, destination: job } : { origin: job, destination: dataset };
    // The rows are distinct (job, dataset, direction): an edge can come twice only through datasets merged
    // into one node (a third of assemble's time went to this set when there are none).
    if (rep.size > 0) {
      const k = `${edge.origin}\u0000${edge.destination}`;
      if (seen.has(k)) continue;
      seen.add(k);
    }
    nodes.get(edge.origin)!.outEdges.push(edge);
    nodes.get(edge.destination)!.inEdges.push(edge);
  }
  // A job node's inputs and outputs are its datasets in the graph (as Marquez's JobData has them).
  for (const node of nodes.values()) {
    if (node.type !== 'JOB') continue;
    const lists = io.get(node.id);
    node.data = withIo(jobs.get(node.id)!, ioText(lists?.inputs), ioText(lists?.outputs));
  }
  const sorted = [...nodes.values()].sort((a, b) => compare(a.id, b.id));
  for (const n of sorted) {
    sortShort(n.inEdges, byEdge);
    sortShort(n.outEdges, byEdge);
  }
  return sorted;
}

const byEdge = (a: Edge, b: Edge) => compare(a.origin, b.origin) || compare(a.destination, b.destination);

/**
 * Sorts in place; a list of a few items by insertion. A node has a few edges each way, and
 * Array.prototype.sort allocates its merge state on every call, however short the list: a graph of 274
 * nodes spent 0.37 MB a request on it, an eighth of what the request allocated (a sampled allocation profile).
 */
function sortShort<T>(list: T[], order: (a: T, b: T) => number): void {
  if (list.length > 16) {
    list.sort(order);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const item = list[i]!;
    let j = i - 1;
    for (; j >= 0 && order(list[j]!, item) > 0; j--) list[j + 1] = list[j]!;
    list[j + 1] = item;
  }
}

const byName = (a: NodeRow, b: NodeRow) => compare(a.namespace, b.namespace) || compare(a.name, b.name);

/**
 * A job's inputs or outputs as Marquez's JobData lists them, `[{"namespace":…,"name":…},…]` sorted by name:
 * each dataset's item written once per graph, however many jobs list it.
 */
function ioText(datasets: Set<NodeRow> | undefined): string {
  if (!datasets?.size) return '[]';
  const items = [...datasets].sort(byName).map((d) => (d.idText ??= JSON.stringify({ namespace: d.namespace, name: d.name })));
  return `[${items.join(',')}]`;
}

/** The job's data with `inputs` and `outputs` placed where Marquez has them: after `namespace`. */
const withIo = ({ doc, ioAt }: NodeRow, inputs: string, outputs: string): DocText[] => [
  typeof doc === 'string' ? doc.slice(0, ioAt) : doc.subarray(0, ioAt),
  `,"inputs":${inputs},"outputs":${outputs}`,
  typeof doc === 'string' ? doc.slice(ioAt) : doc.subarray(ioAt),
];

/** Each dataset of a symlink group -> the group's representative. */
function representatives(symlinks: [string, string][], start: string | undefined): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    return p;
  };
  const targets = new Set(symlinks.map(([, t]) => t));
  // The root a union keeps: the requested dataset first, then a symlink target, then the smaller id.
  const rank = (x: string) => (x === start ? 0 : targets.has(x) ? 1 : 2);
  for (const [a, b] of symlinks) {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) continue;
    const keep = rank(ra) < rank(rb) || (rank(ra) === rank(rb) && ra < rb) ? ra : rb;
    parent.set(keep === ra ? rb : ra, keep);
  }
  const out = new Map<string, string>();
  for (const x of parent.keys()) out.set(x, find(x));
  for (const x of new Set(parent.values())) out.set(x, find(x));
  return out;
}

export const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
