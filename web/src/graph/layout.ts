/**
 * The lineage graph's layout: ELK's layered algorithm, left to right (what produced a node on its left, what
 * it feeds on its right). Takes the ELK instance to run on, so that the page runs it in a Web Worker
 * (elk-worker.ts) and the bench in Node with elkjs's bundled build: nothing here touches the DOM or Vite.
 */
import type { ELK, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import { type LineageGraph, NODE_SIZE } from './model';

export interface Positions {
  /** Top-left corner of each node. */
  nodes: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
}

/** Past this many nodes, fewer crossing-minimisation passes: a large graph lays out in seconds, not minutes. */
const LARGE = 400;

export function layoutOptions(nodes: number): LayoutOptions {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.layered.spacing.nodeNodeBetweenLayers': '72',
    'elk.spacing.nodeNode': '20',
    'elk.spacing.componentComponent': '48',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    // Edges are drawn by the canvas (curves between the node sides): ELK's routing is not needed.
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.thoroughness': nodes > LARGE ? '1' : '7',
    'elk.layered.cycleBreaking.strategy': 'GREEDY',
  };
}

/** Lays `graph` out with `elk`; nodes in the order given (the API's, sorted by id) keep a stable place. */
export async function layoutGraph(elk: Pick<ELK, 'layout'>, graph: LineageGraph): Promise<Positions> {
  const root: ElkNode = {
    id: 'root',
    layoutOptions: layoutOptions(graph.nodes.length),
    children: graph.nodes.map((n) => ({ id: n.id, ...NODE_SIZE[n.kind] })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laid = await elk.layout(root);
  const nodes = new Map<string, { x: number; y: number }>();
  for (const c of laid.children ?? []) nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return { nodes, width: laid.width ?? 0, height: laid.height ?? 0 };
}

/**
 * A trivial layout, for comparison (the bench's baseline): each node in the column of its longest path from
 * a source, stacked in the order given. No crossing minimisation, no placement.
 */
export function columnsLayout(graph: LineageGraph): Positions {
  const incoming = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = incoming.get(e.target);
    if (list) list.push(e.source);
    else incoming.set(e.target, [e.source]);
  }
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const rankOf = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: cut here
    visiting.add(id);
    let r = 0;
    for (const s of incoming.get(id) ?? []) r = Math.max(r, rankOf(s) + 1);
    visiting.delete(id);
    rank.set(id, r);
    return r;
  };
  const filled = new Map<number, number>();
  const nodes = new Map<string, { x: number; y: number }>();
  let width = 0;
  let height = 0;
  for (const n of graph.nodes) {
    const r = rankOf(n.id);
    const y = filled.get(r) ?? 0;
    const size = NODE_SIZE[n.kind];
    nodes.set(n.id, { x: r * (size.width + 72), y });
    filled.set(r, y + size.height + 20);
    width = Math.max(width, r * (size.width + 72) + size.width);
    height = Math.max(height, y + size.height);
  }
  return { nodes, width, height };
}
