import { href } from '../links';

export type Direction = 'upstream' | 'downstream' | 'both';
export type Depth = number | 'all';

/** Everything the explorer shows, read from its URL (so a view can be shared, and back/forward work). */
export interface ExplorerState {
  node: string;
  depth: Depth;
  direction: Direction;
  columns: boolean;
  asOf: string | undefined;
  from: string | undefined;
  to: string | undefined;
  selected: string | undefined;
  expand: string[];
  view: 'graph' | 'list';
}

export const DEPTHS: Depth[] = [1, 2, 3, 5, 10, 'all'];
const DEFAULT_DEPTH = 2;

export function readState(search: string): ExplorerState {
  const q = new URLSearchParams(search);
  const depthText = q.get('depth');
  const depth: Depth =
    depthText === 'all' ? 'all' : depthText && /^\d+$/.test(depthText) ? Math.min(Number(depthText), 1000) : DEFAULT_DEPTH;
  const direction = q.get('direction');
  return {
    node: q.get('node') ?? '',
    depth,
    direction: direction === 'upstream' || direction === 'downstream' ? direction : 'both',
    columns: q.get('columns') === '1' || q.get('columns') === 'true',
    asOf: q.get('asOf') || undefined,
    from: q.get('from') || undefined,
    to: q.get('to') || undefined,
    selected: q.get('selected') || undefined,
    expand: q.getAll('expand').filter(Boolean),
    view: q.get('view') === 'list' ? 'list' : 'graph',
  };
}

/** The explorer's URL for a state: href.lineage for what links elsewhere name, then the explorer's own. */
export function explorerUrl(s: Partial<ExplorerState> & { node: string }): string {
  const base = href.lineage(s.node, {
    ...(s.depth !== undefined && s.depth !== DEFAULT_DEPTH && { depth: s.depth === 'all' ? undefined : s.depth }),
    ...(s.direction && s.direction !== 'both' && { direction: s.direction }),
    ...(s.columns && { columns: true }),
    ...(s.asOf && { asOf: s.asOf }),
  });
  const q = new URLSearchParams(base.split('?')[1] ?? '');
  if (s.columns) q.set('columns', '1');
  if (s.depth === 'all') q.set('depth', 'all');
  if (s.from) q.set('from', s.from);
  if (s.to) q.set('to', s.to);
  if (s.selected) q.set('selected', s.selected);
  for (const e of s.expand ?? []) q.append('expand', e);
  if (s.view === 'list') q.set('view', 'list');
  return `/lineage?${q.toString()}`;
}

export type Go = (patch: Partial<ExplorerState>, options?: { replace?: boolean }) => void;
