import { useEffect, useState } from 'react';
import { abandonLayout, sharedElk } from './elk-worker';
import { columnsLayout, LARGE_GRAPH, layoutGraph, type Positions } from './layout';
import type { LineageGraph } from './model';

export type LayoutState =
  | { status: 'pending'; positions: Positions; provisional: boolean }
  | { status: 'done'; positions: Positions; graph: LineageGraph; ms: number }
  | { status: 'error'; error: unknown; positions: Positions };

/**
 * Lays `graph` out in the layout worker: a newer graph supersedes a layout still running (its answer is
 * dropped; a large one is stopped). Meanwhile a new graph is drawn at once in provisional columns (the worker's first layout waits
 * for ELK to start, a second or two); a graph that grew keeps its previous drawing until the new one is ready.
 */
export function useLayout(graph: LineageGraph): LayoutState {
  const [state, setState] = useState<LayoutState>(() => ({ status: 'pending', positions: columnsLayout(graph), provisional: true }));
  useEffect(() => {
    let current = true;
    setState((s) => {
      if (s.status === 'done' && s.graph === graph) return s;
      // A graph that grew keeps its drawing (the new nodes appear with the new layout); a first one is drawn at once.
      if (s.status === 'done') return { status: 'pending', positions: s.positions, provisional: false };
      return { status: 'pending', positions: columnsLayout(graph), provisional: true };
    });
    const started = performance.now();
    let running = true;
    layoutGraph(sharedElk(), graph).then(
      (positions) => {
        running = false;
        if (current) setState({ status: 'done', positions, graph, ms: performance.now() - started });
      },
      (error: unknown) => {
        running = false;
        if (current) setState((s) => ({ status: 'error', error, positions: s.positions }));
      },
    );
    return () => {
      current = false;
      // A superseded large layout would hold the worker for seconds: stop it (a small one ends sooner than a
      // new worker starts).
      if (running && graph.nodes.length >= LARGE_GRAPH) abandonLayout();
    };
  }, [graph]);
  return state;
}
