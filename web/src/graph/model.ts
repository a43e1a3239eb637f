/**
 * The lineage explorer's graph, independent of React and of the drawing library: the API's answers (table or
 * column lineage) read into nodes and edges, merged when a node is expanded, and the paths between two
 * nodes. Pure functions: the bench imports this (with layout.ts) in Node.
 */
import type { components } from '../api/schema';

export type ApiNode = components['schemas']['Lineage']['graph'][number];
type Json = Record<string, unknown>;

export type Kind = 'dataset' | 'job' | 'model' | 'deployment' | 'run' | 'field';

export interface LineageNode {
  id: string;
  kind: Kind;
  /** What the node is called, shown first. */
  name: string;
  /** Where it lives (a namespace, a job, an environment), shown under the name. */
  place: string;
  /** Its version, state or stage, shown last. */
  detail: string;
  /** A run state or model stage the detail is coloured by (`state-COMPLETED`, `stage-Production`). */
  tone?: string;
  data: Json;
}

export interface LineageEdge {
  id: string;
  source: string;
  target: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export const EMPTY: LineageGraph = { nodes: [], edges: [] };

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Node kinds as the API names them. */
const KIND: Record<ApiNode['type'], Kind> = {
  DATASET: 'dataset',
  JOB: 'job',
  MODEL: 'model',
  DEPLOYMENT: 'deployment',
  RUN: 'run',
  DATASET_FIELD: 'field',
};

/** The words a node is drawn with, from the data the graph API gives it. */
export function describe(n: ApiNode): LineageNode {
  const data = obj(n.data);
  const kind = KIND[n.type];
  const base = { id: n.id, kind, data };
  switch (kind) {
    case 'dataset': {
      const fields = list(data.fields).length;
      return {
        ...base,
        name: text(data.name),
        place: text(data.namespace),
        detail: fields ? `${fields} field${fields === 1 ? '' : 's'}` : 'dataset',
      };
    }
    case 'job': {
      const run = obj(data.latestRun);
      const state = text(run.state);
      return {
        ...base,
        name: text(data.name),
        place: text(data.namespace),
        detail: state ? `last run ${state.toLowerCase()}` : 'no run yet',
        ...(state && { tone: `state-${state}` }),
      };
    }
    case 'model': {
      const stage = text(data.stage);
      const aliases = list(data.aliases).map(text).filter(Boolean);
      return {
        ...base,
        name: `${text(data.name)} v${text(data.version)}`,
        place: aliases.length ? aliases.map((a) => `@${a}`).join(' ') : 'model version',
        detail: stage || 'None',
        tone: `stage-${stage || 'None'}`,
      };
    }
    case 'deployment':
      return {
        ...base,
        name: text(data.endpoint),
        place: text(data.environment),
        detail: data.model ? `serves ${text(data.model)} v${text(data.version)}` : 'deployment',
      };
    case 'run': {
      const state = text(data.state);
      const job = obj(data.job);
      return {
        ...base,
        name: `run ${text(data.id).slice(0, 8)}`,
        place: text(job.name),
        detail: state.toLowerCase() || 'run',
        ...(state && { tone: `state-${state}` }),
      };
    }
    case 'field':
      return { ...base, name: text(data.field), place: text(data.dataset), detail: text(data.fieldType) || 'field' };
  }
}

/**
 * The API's graph as nodes and edges. Column lineage's edges are lopsided (Marquez's shape: an in-edge has the
 * node itself as origin and the upstream field as destination), so edges are read from each side accordingly.
 */
export function fromApi(graph: readonly ApiNode[]): LineageGraph {
  const nodes = graph.map(describe);
  const seen = new Set<string>();
  const edges: LineageEdge[] = [];
  const add = (source: string, target: string) => {
    const id = `${source}\u2192${target}`;
    if (seen.has(id) || source === target) return;
    seen.add(id);
    edges.push({ id, source, target });
  };
  const ids = new Set(graph.map((n) => n.id));
  for (const n of graph) {
    const field = n.type === 'DATASET_FIELD';
    for (const e of n.outEdges) add(e.origin, e.destination);
    for (const e of n.inEdges) field && e.origin === n.id ? add(e.destination, e.origin) : add(e.origin, e.destination);
  }
  return { nodes, edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
}

/** Graphs merged: the first graph's nodes keep their data, edges are united. */
export function merge(...graphs: LineageGraph[]): LineageGraph {
  if (graphs.length === 1) return graphs[0]!;
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  for (const g of graphs) {
    for (const n of g.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const e of g.edges) if (!edges.has(e.id)) edges.set(e.id, e);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function reach(graph: LineageGraph, start: string, forward: boolean): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    const [a, b] = forward ? [e.source, e.target] : [e.target, e.source];
    const out = next.get(a);
    if (out) out.push(b);
    else next.set(a, [b]);
  }
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    for (const m of next.get(stack.pop()!) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return seen;
}

export interface Path {
  nodes: Set<string>;
  edges: Set<string>;
  /** Whether the path runs from `to` to `from` (the second node is upstream of the first). */
  reversed: boolean;
}

/**
 * Every node and edge on a directed path between `from` and `to` (what `from` feeds that feeds `to`), or,
 * when there is none that way, the other way round; undefined when neither reaches the other.
 */
export function pathsBetween(graph: LineageGraph, from: string, to: string): Path | undefined {
  const ids = new Set(graph.nodes.map((n) => n.id));
  if (!ids.has(from) || !ids.has(to)) return undefined;
  for (const [a, b, reversed] of [
    [from, to, false],
    [to, from, true],
  ] as const) {
    const down = reach(graph, a, true);
    if (!down.has(b)) continue;
    const up = reach(graph, b, false);
    const nodes = new Set([...down].filter((id) => up.has(id)));
    const edges = new Set(graph.edges.filter((e) => nodes.has(e.source) && nodes.has(e.target)).map((e) => e.id));
    return { nodes, edges, reversed };
  }
  return undefined;
}

/** Node sizes, fixed per kind: the layout needs them before anything is drawn. */
export const NODE_SIZE: Record<Kind, { width: number; height: number }> = {
  dataset: { width: 240, height: 68 },
  job: { width: 240, height: 68 },
  model: { width: 240, height: 68 },
  deployment: { width: 240, height: 68 },
  run: { width: 240, height: 68 },
  field: { width: 200, height: 56 },
};
