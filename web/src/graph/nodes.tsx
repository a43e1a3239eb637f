import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { Kind, LineageNode } from './model';

export interface FlowNodeData extends Record<string, unknown> {
  node: LineageNode;
  centre: boolean;
  selected: boolean;
  /** On the highlighted path (true), off it (false), or no path is highlighted (undefined). */
  onPath: boolean | undefined;
  /** Expands the graph around this node; absent where expanding means nothing (column mode). */
  onExpand?: (id: string) => void;
  expanded: boolean;
}

export type FlowNode = Node<FlowNodeData, 'lineage'>;

const KIND_LABEL: Record<Kind, string> = {
  dataset: 'Dataset',
  job: 'Job',
  model: 'Model',
  deployment: 'Deployment',
  run: 'Run',
  field: 'Column',
};

export const kindLabel = (kind: Kind) => KIND_LABEL[kind];

/** Inline icons, one per kind (nothing fetched). */
export function KindIcon({ kind }: { kind: Kind }) {
  return (
    <svg width={14} height={14} viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth={1.5}>
      <KindPaths kind={kind} />
    </svg>
  );
}

function KindPaths({ kind }: { kind: Kind }) {
  switch (kind) {
    case 'dataset':
      return (
        <>
          <ellipse cx="8" cy="3.5" rx="5.5" ry="2" />
          <path d="M2.5 3.5v9c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2v-9M2.5 8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2" />
        </>
      );
    case 'job':
      return (
        <>
          <circle cx="8" cy="8" r="6" />
          <path d="M6.5 5.2v5.6L11 8z" fill="currentColor" />
        </>
      );
    case 'model':
      return <path d="M8 1.5 14 4.8v6.4L8 14.5 2 11.2V4.8zM2 4.8 8 8l6-3.2M8 8v6.5" />;
    case 'deployment':
      return (
        <>
          <rect x="2" y="3" width="12" height="4" rx="1" />
          <rect x="2" y="9" width="12" height="4" rx="1" />
          <circle cx="4.5" cy="5" r=".6" fill="currentColor" />
          <circle cx="4.5" cy="11" r=".6" fill="currentColor" />
        </>
      );
    case 'run':
      return <path d="M2 8h3l2-5 2 10 2-5h3" />;
    case 'field':
      return (
        <>
          <rect x="2.5" y="2" width="11" height="12" rx="1" />
          <path d="M2.5 6h11M2.5 10h11" />
        </>
      );
  }
}

/** A node of the lineage canvas: what it is, its name, where it lives, its state; an expand button. */
export const LineageNodeView = memo(function LineageNodeView({ id, data }: NodeProps<FlowNode>) {
  const { node, centre, selected, onPath, onExpand, expanded } = data;
  const classes = ['lnode', `lnode-${node.kind}`];
  if (centre) classes.push('is-centre');
  if (selected) classes.push('is-selected');
  if (onPath === true) classes.push('is-on-path');
  if (onPath === false) classes.push('is-dim');
  return (
    <div className={classes.join(' ')}>
      <Handle type="target" position={Position.Left} isConnectable={false} className="lnode-handle" />
      <div className="lnode-top">
        <span className="lnode-kind">
          <KindIcon kind={node.kind} />
          {KIND_LABEL[node.kind]}
          {centre && <span className="lnode-centre-mark">centre</span>}
        </span>
        {onExpand && !expanded && (
          <button
            type="button"
            className="lnode-expand nodrag nopan"
            aria-label={`Expand around ${node.name}`}
            title="Expand: add what is one hop around this node"
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              onExpand(id);
            }}
            onDoubleClick={(e) => e.stopPropagation()}
          >
            +
          </button>
        )}
      </div>
      <div className="lnode-name" title={node.name}>
        {node.name}
      </div>
      <div className="lnode-bottom">
        <span className="lnode-place" title={node.place}>
          {node.place}
        </span>
        <span className={`lnode-detail ${node.tone ?? ''}`}>{node.detail}</span>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="lnode-handle" />
    </div>
  );
});

export const nodeTypes = { lineage: LineageNodeView };
