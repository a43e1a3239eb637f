import { Background, Controls, type Edge, MarkerType, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type KeyboardEvent, useEffect, useMemo, useRef } from 'react';
import type { Positions } from './layout';
import { type Kind, type LineageGraph, NODE_SIZE, type Path } from './model';
import { type FlowNode, kindLabel, nodeTypes } from './nodes';

const MINIMAP_COLOUR: Record<Kind, string> = {
  dataset: '#0e7490',
  job: '#7c3aed',
  model: '#c2410c',
  deployment: '#15803d',
  run: '#7c3aed',
  field: '#0e7490',
};

export interface CanvasProps {
  graph: LineageGraph;
  positions: Positions;
  /** Positions of a quick provisional layout: the view is fitted again when the real one arrives. */
  provisional: boolean;
  centre: string;
  selected: string | undefined;
  path: Path | undefined;
  expanded: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onExpand: ((id: string) => void) | undefined;
  /** The view is fitted again when this changes (another centre, depth, ...), not when the graph grows. */
  viewKey: string;
  /** After an expansion: the node the view stays on. */
  focus: string | undefined;
}

export function LineageCanvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ graph, positions, provisional, centre, selected, path, expanded, onSelect, onExpand, viewKey, focus }: CanvasProps) {
  const flow = useReactFlow();
  const nodes = useMemo<FlowNode[]>(
    () =>
      graph.nodes.flatMap((n) => {
        const at = positions.nodes.get(n.id);
        if (!at) return [];
        const size = NODE_SIZE[n.kind];
        return [
          {
            id: n.id,
            type: 'lineage' as const,
            position: at,
            width: size.width,
            height: size.height,
            ariaLabel: `${kindLabel(n.kind)} ${n.name}, ${n.place}, ${n.detail}${n.id === centre ? ' (centre)' : ''}`,
            data: {
              node: n,
              centre: n.id === centre,
              selected: n.id === selected,
              onPath: path ? path.nodes.has(n.id) : undefined,
              expanded: expanded.has(n.id),
              ...(onExpand && { onExpand }),
            },
          },
        ];
      }),
    [graph, positions, centre, selected, path, expanded, onExpand],
  );
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.flatMap((e) => {
        if (!positions.nodes.has(e.source) || !positions.nodes.has(e.target)) return [];
        const on = path?.edges.has(e.id);
        const colour = on ? '#2563eb' : '#97a3b6';
        return [
          {
            id: e.id,
            source: e.source,
            target: e.target,
            focusable: false,
            markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14, color: colour },
            style: { stroke: colour, strokeWidth: on ? 2.5 : 1.4, opacity: path && !on ? 0.15 : 1 },
            ...(on && { zIndex: 1, animated: graph.edges.length < 400 }),
          },
        ];
      }),
    [graph, path, positions],
  );

  // Fit the view on a new graph; after an expansion, keep the zoom and follow the expanded node.
  const fitted = useRef<string | undefined>(undefined);
  const fitKey = `${viewKey}|${provisional}`;
  useEffect(() => {
    if (nodes.length === 0) return;
    const frame = requestAnimationFrame(() => {
      const at = focus ? positions.nodes.get(focus) : undefined;
      if (fitted.current === fitKey && at) {
        const size = NODE_SIZE[graph.nodes.find((n) => n.id === focus)?.kind ?? 'job'];
        void flow.setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom: flow.getZoom(), duration: 200 });
      } else if (fitted.current !== fitKey) {
        fitted.current = fitKey;
        void flow.fitView({ padding: 0.12, maxZoom: 1.1 });
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [nodes.length, positions, fitKey, focus, flow, graph]);

  // The details panel opened or closed: the canvas changed width. A small graph is fitted again; in a large
  // one the view follows the selected node.
  const panel = selected !== undefined;
  const panelBefore = useRef(panel);
  useEffect(() => {
    if (panelBefore.current === panel) return;
    panelBefore.current = panel;
    // After the canvas's own resize observer has seen the new width.
    const timer = setTimeout(() => {
      const at = selected ? positions.nodes.get(selected) : undefined;
      if (graph.nodes.length <= 60) void flow.fitView({ padding: 0.12, maxZoom: 1.1, duration: 200 });
      else if (at) void flow.setCenter(at.x + 120, at.y + 34, { zoom: flow.getZoom(), duration: 200 });
    }, 80);
    return () => clearTimeout(timer);
  }, [panel, selected, positions, graph, flow]);

  // Enter (or Space) on a focused node selects it, as a click does.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const target = e.target as HTMLElement;
    if (!target.classList.contains('react-flow__node')) return;
    const id = target.getAttribute('data-id');
    if (id) {
      e.preventDefault();
      onSelect(id);
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Enter on a focused node (a React Flow node, focusable) bubbles here.
    <div className="lineage-canvas" onKeyDown={onKeyDown}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable
        edgesFocusable={false}
        minZoom={0.02}
        maxZoom={2}
        zoomOnDoubleClick={false}
        onNodeClick={(_, node) => onSelect(node.id)}
        onNodeDoubleClick={(_, node) => onExpand?.(node.id)}
        attributionPosition="top-right"
      >
        <Background gap={24} size={1} color="#e3e7ee" />
        <MiniMap
          pannable
          zoomable
          ariaLabel="Minimap of the lineage graph"
          nodeColor={(n) => MINIMAP_COLOUR[(n as FlowNode).data.node.kind]}
          nodeStrokeWidth={0}
          maskColor="rgb(240 242 246 / 0.7)"
        />
        <Controls showInteractive={false} fitViewOptions={{ padding: 0.12, maxZoom: 1.1 }} />
      </ReactFlow>
    </div>
  );
}
