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

/**
 * Past this many nodes, the cheapest steps: ELK's defaults take about a minute for 2,000 nodes in wide
 * layers (network-simplex layering, Brandes-Köpf placement, several crossing-minimisation passes), these
 * a few seconds (bench/ui-layout.ts measures it).
 */
export const LARGE_GRAPH = 400;

export function layoutOptions(nodes: number): LayoutOptions {
  const common: LayoutOptions = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.layered.spacing.nodeNodeBetweenLayers': '72',
    'elk.spacing.nodeNode': '20',
    'elk.spacing.componentComponent': '48',
    // Edges are drawn by the canvas (curves between the node sides): ELK's routes are not used.
    'elk.edgeRouting': 'POLYLINE',
  };
  if (nodes <= LARGE_GRAPH) {
    return {
      ...common,
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.cycleBreaking.strategy': 'GREEDY',
    };
  }
  return {
    ...common,
    'elk.layered.thoroughness': '1',
    'elk.layered.layering.strategy': 'LONGEST_PATH',
    'elk.layered.nodePlacement.strategy': 'SIMPLE',
    'elk.layered.compaction.postCompaction.strategy': 'NONE',
    'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
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
  return compactLayers(
    (laid.children ?? []).map((c) => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 })),
  );
}

/** Space between layers (ELK widens it to route many edges; the canvas draws its own curves). */
const LAYER_GAP = 72;

/**
 * ELK's layers, placed side by side at LAYER_GAP: between tall layers ELK leaves room for edge routes that
 * are not drawn (thousands of pixels in a large graph, which would leave it a thin line once fitted).
 */
export function compactLayers(laid: { id: string; x: number; y: number; width: number; height: number }[]): Positions {
  const byX = [...laid].sort((a, b) => a.x - b.x);
  const nodes = new Map<string, { x: number; y: number }>();
  let layerStart = Number.NEGATIVE_INFINITY;
  let layerEnd = Number.NEGATIVE_INFINITY;
  let offset = 0;
  let width = 0;
  let height = 0;
  let top = Number.POSITIVE_INFINITY;
  for (const n of byX) {
    top = Math.min(top, n.y);
    if (n.x > layerEnd) {
      // A new layer: shift it to LAYER_GAP after the previous one.
      offset = layerEnd === Number.NEGATIVE_INFINITY ? -n.x : width + LAYER_GAP - n.x;
      layerStart = n.x;
    }
    layerEnd = Math.max(layerEnd, n.x + n.width, layerStart);
    nodes.set(n.id, { x: n.x + offset, y: n.y });
    width = Math.max(width, n.x + offset + n.width);
  }
  for (const p of nodes.values()) {
    p.y -= top;
    height = Math.max(height, p.y);
  }
  return { nodes, width, height: height + Math.max(0, ...laid.map((n) => n.height)) };
}

/**
 * A quick layout, drawn while ELK works and the bench's baseline: each node in the column of its longest path
 * from a source, ordered in its column by the mean row of its predecessors (one sweep), stacked. Linear
 * time; no real crossing minimisation or placement.
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
  const columns: (typeof graph.nodes)[] = [];
  for (const n of graph.nodes) {
    const r = rankOf(n.id);
    columns[r] = [...(columns[r] ?? []), n];
  }
  const row = new Map<string, number>();
  const nodes = new Map<string, { x: number; y: number }>();
  let width = 0;
  let height = 0;
  let x = 0;
  const heights: [typeof graph.nodes, number][] = [];
  for (const column of columns) {
    if (!column) continue;
    const key = (id: string) => {
      const from = (incoming.get(id) ?? []).flatMap((s) => (row.has(s) ? [row.get(s)!] : []));
      return from.length ? from.reduce((a, b) => a + b, 0) / from.length : Number.POSITIVE_INFINITY;
    };
    const keyed = column.map((n, i) => ({ n, k: key(n.id), i })).sort((a, b) => a.k - b.k || a.i - b.i);
    let y = 0;
    let columnWidth = 0;
    keyed.forEach(({ n }, i) => {
      const size = NODE_SIZE[n.kind];
      row.set(n.id, i);
      nodes.set(n.id, { x, y });
      y += size.height + 20;
      columnWidth = Math.max(columnWidth, size.width);
    });
    height = Math.max(height, y - 20);
    heights.push([column, y - 20]);
    width = x + columnWidth;
    x += columnWidth + 72;
  }
  // Columns centred on each other.
  for (const [column, h] of heights) for (const n of column) nodes.get(n.id)!.y += (height - h) / 2;
  return { nodes, width, height };
}
