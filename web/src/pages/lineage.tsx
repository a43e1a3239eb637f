import { useQueries } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSearch } from 'wouter/use-browser-location';
import { api } from '../api/client';
import { Page } from '../components/page';
import { Empty, ErrorPanel, Loading } from '../components/state';
import { LineageCanvas } from '../graph/canvas';
import { sharedElk } from '../graph/elk-worker';
import { EMPTY, fromApi, type LineageGraph, type LineageNode, merge, pathsBetween } from '../graph/model';
import { KindIcon, kindLabel } from '../graph/nodes';
import { useLayout } from '../graph/use-layout';
import { LineageDetails } from './lineage-details';
import { LineagePicker } from './lineage-picker';
import { DEPTHS, type ExplorerState, explorerUrl, type Go, readState } from './lineage-url';
import './lineage.css';

/** `datetime-local` works in local time without a zone; the URL and the API hold UTC instants. */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

export default function LineagePage() {
  // The query as the browser holds it (wouter's own useSearch decodes it once more: see url-state.ts).
  const search = useSearch();
  const [, navigate] = useLocation();
  const state = useMemo(() => readState(search), [search]);
  // The layout worker starts while the graph is fetched.
  useEffect(() => {
    if (state.node) sharedElk();
  }, [state.node]);
  const go = useCallback(
    (patch: Partial<ExplorerState>, options: { replace?: boolean } = {}) =>
      navigate(explorerUrl({ ...state, ...patch }), options.replace ? { replace: true } : undefined),
    [navigate, state],
  );
  if (!state.node) {
    return (
      <Page title="Lineage" kicker="Explorer">
        <LineagePicker />
      </Page>
    );
  }
  return <Explorer state={state} go={go} />;
}

function Explorer({ state, go }: { state: ExplorerState; go: Go }) {
  const { node, depth, direction, columns, asOf } = state;
  const fieldCapable = node.startsWith('dataset:') || node.startsWith('datasetField:');
  const columnMode = columns && fieldCapable;
  const tableQuery = { nodeId: node, depth, direction, withModels: true, ...(asOf && { asOf }) };
  const table = api.useQuery('get', '/api/v1/lineage', { params: { query: tableQuery } }, { enabled: !columnMode });
  const column = api.useQuery(
    'get',
    '/api/v1/column-lineage',
    { params: { query: { nodeId: node, depth, withDownstream: direction !== 'upstream' } } },
    { enabled: columnMode },
  );
  const expansions = useQueries({
    queries: (columnMode ? [] : state.expand).map((id) =>
      api.queryOptions('get', '/api/v1/lineage', {
        params: { query: { nodeId: id, depth: 1, direction: 'both', withModels: true, ...(asOf && { asOf }) } },
      }),
    ),
  });
  const main = columnMode ? column : table;
  // The answers change identity only when refetched: their update times say when to merge again.
  const expansionKey = expansions.map((q) => q.dataUpdatedAt).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: expansionKey stands for the expansions' answers.
  const graph = useMemo<LineageGraph>(() => {
    if (!main.data) return EMPTY;
    const parts = [fromApi(main.data.graph), ...expansions.flatMap((q) => (q.data ? [fromApi(q.data.graph)] : []))];
    return merge(...parts);
  }, [main.data, expansionKey]);

  const path = useMemo(
    () => (state.from && state.to ? pathsBetween(graph, state.from, state.to) : undefined),
    [graph, state.from, state.to],
  );
  const selectedNode = graph.nodes.find((n) => n.id === state.selected);
  const expanded = useMemo(() => new Set(state.expand), [state.expand]);
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const expand = useCallback(
    (id: string) => {
      if (expanded.has(id) || id === node) return;
      setFocus(id);
      go({ expand: [...state.expand, id] });
    },
    [expanded, node, go, state.expand],
  );
  const select = useCallback((id: string) => go({ selected: id }, { replace: true }), [go]);

  const centreNode = graph.nodes.find((n) => n.id === node);
  const title = centreNode ? centreNode.name : node.slice(node.indexOf(':') + 1);
  const viewKey = [node, depth, direction, columnMode, asOf].join('|');
  const failedExpansion = expansions.find((q) => q.isError);

  return (
    <Page title={`Lineage of ${title}`} kicker={centreNode ? `${kindLabel(centreNode.kind)} lineage` : 'Lineage'}>
      <Toolbar state={state} go={go} fieldCapable={fieldCapable} />
      {columns && !fieldCapable && <ColumnNotice graph={graph} state={state} />}
      <PathBar state={state} graph={graph} found={path} go={go} />
      {main.isError ? (
        <ErrorPanel error={main.error} what="the lineage graph" retry={() => void main.refetch()} />
      ) : main.isPending ? (
        <Loading what="the lineage graph" />
      ) : graph.nodes.length === 0 ? (
        <Empty>Nothing is linked to this node{asOf ? ' at that time' : ''}.</Empty>
      ) : (
        <>
          {failedExpansion && (
            <ErrorPanel error={failedExpansion.error} what="an expanded node's neighbours" retry={() => void failedExpansion.refetch()} />
          )}
          <div className="lineage-body">
            {state.view === 'list' ? (
              <ListView graph={graph} state={state} go={go} />
            ) : (
              <GraphView
                graph={graph}
                centre={node}
                selected={state.selected}
                path={path}
                expanded={expanded}
                onSelect={select}
                onExpand={columnMode ? undefined : expand}
                viewKey={viewKey}
                focus={focus}
              />
            )}
            {selectedNode && (
              <LineageDetails
                node={selectedNode}
                graph={graph}
                state={state}
                go={go}
                canExpand={!columnMode && !expanded.has(selectedNode.id) && selectedNode.id !== node}
                onExpand={() => expand(selectedNode.id)}
              />
            )}
          </div>
        </>
      )}
    </Page>
  );
}

function GraphView(props: Omit<Parameters<typeof LineageCanvas>[0], 'positions' | 'provisional'>) {
  const layout = useLayout(props.graph);
  const { graph } = props;
  const status =
    layout.status === 'pending'
      ? `Laying out ${graph.nodes.length} nodes…`
      : layout.status === 'error'
        ? 'The layout failed'
        : `${graph.nodes.length} nodes, ${graph.edges.length} edges · laid out in ${Math.round(layout.ms)} ms`;
  return (
    <section className="lineage-graph" aria-label="Lineage graph">
      <p className="lineage-status muted" role="status" aria-live="polite" data-testid="lineage-status">
        {status}
        {layout.status !== 'error' && (
          <span className="lineage-hint">
            {' '}
            · click or <kbd>Tab</kbd> to a node and press <kbd>Enter</kbd> for its details; double-click to expand
          </span>
        )}
      </p>
      {layout.status === 'error' && <ErrorPanel error={layout.error} what="the graph's layout" />}
      <LineageCanvas {...props} positions={layout.positions} provisional={layout.status === 'pending' && layout.provisional} />
    </section>
  );
}

function Toolbar({ state, go, fieldCapable }: { state: ExplorerState; go: Go; fieldCapable: boolean }) {
  const id = useId();
  const [asOfText, setAsOfText] = useState(toLocalInput(state.asOf));
  const [lastAsOf, setLastAsOf] = useState(state.asOf);
  if (lastAsOf !== state.asOf) {
    setLastAsOf(state.asOf);
    setAsOfText(toLocalInput(state.asOf));
  }
  return (
    <form className="toolbar lineage-toolbar" aria-label="Graph options" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={`${id}-depth`}>
        Depth
        <select
          id={`${id}-depth`}
          value={String(state.depth)}
          onChange={(e) => go({ depth: e.target.value === 'all' ? 'all' : Number(e.target.value), expand: [] })}
        >
          {[...new Set([...DEPTHS, state.depth])].map((d) => (
            <option key={String(d)} value={String(d)}>
              {d === 'all' ? 'all' : `${d} hop${d === 1 ? '' : 's'}`}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="lineage-direction">
        <legend className="visually-hidden">Direction</legend>
        {(['upstream', 'both', 'downstream'] as const).map((d) => (
          <label key={d} className={state.direction === d ? 'is-active' : undefined}>
            <input
              type="radio"
              name={`${id}-direction`}
              value={d}
              checked={state.direction === d}
              onChange={() => go({ direction: d, expand: [] })}
            />
            {d === 'upstream' ? '← Upstream' : d === 'downstream' ? 'Downstream →' : 'Both'}
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-columns`} title={fieldCapable ? undefined : 'Column lineage starts from a dataset'}>
        <input
          id={`${id}-columns`}
          type="checkbox"
          checked={state.columns}
          onChange={(e) => go({ columns: e.target.checked, expand: [], selected: undefined, from: undefined, to: undefined })}
        />
        Columns
      </label>
      <span className="lineage-asof">
        <label htmlFor={`${id}-asof`}>As of</label>
        <input
          id={`${id}-asof`}
          type="datetime-local"
          value={asOfText}
          onChange={(e) => {
            setAsOfText(e.target.value);
            const iso = e.target.value ? fromLocalInput(e.target.value) : undefined;
            if (iso || !e.target.value) go({ asOf: iso, expand: [] });
          }}
        />
        {state.asOf && (
          <button type="button" onClick={() => go({ asOf: undefined, expand: [] })}>
            Now
          </button>
        )}
      </span>
      <fieldset className="lineage-view-switch">
        <legend className="visually-hidden">View</legend>
        <button type="button" aria-pressed={state.view === 'graph'} onClick={() => go({ view: 'graph' })}>
          Graph
        </button>
        <button type="button" aria-pressed={state.view === 'list'} onClick={() => go({ view: 'list' })}>
          List
        </button>
      </fieldset>
    </form>
  );
}

function nameOf(graph: LineageGraph, id: string | undefined) {
  if (!id) return '';
  return graph.nodes.find((n) => n.id === id)?.name ?? id;
}

function PathBar({
  state,
  graph,
  found,
  go,
}: {
  state: ExplorerState;
  graph: LineageGraph;
  found: ReturnType<typeof pathsBetween>;
  go: Go;
}) {
  if (!state.from && !state.to) return null;
  const message = !state.from
    ? 'Choose the node the path starts from (“Path from here” in a node’s details).'
    : !state.to
      ? 'Choose the node the path goes to (“Path to here” in a node’s details).'
      : found
        ? `${found.nodes.size} nodes on the path${found.reversed ? ' (the second feeds the first)' : ''}; the rest is dimmed.`
        : 'No path between them in this graph: try a greater depth, or both directions.';
  return (
    <div className="notice lineage-pathbar" role="status">
      <strong>Path</strong> {state.from ? <span className="mono">{nameOf(graph, state.from)}</span> : '…'} →{' '}
      {state.to ? <span className="mono">{nameOf(graph, state.to)}</span> : '…'}. {message}{' '}
      <button type="button" className="link-button" onClick={() => go({ from: undefined, to: undefined })}>
        Clear the path
      </button>
    </div>
  );
}

function ColumnNotice({ graph, state }: { graph: LineageGraph; state: ExplorerState }) {
  const datasets = graph.nodes.filter((n) => n.kind === 'dataset').slice(0, 12);
  return (
    <div className="notice" role="status">
      Column lineage starts from a dataset: the table-level graph is shown.{' '}
      {datasets.length > 0 && (
        <>
          Columns of{' '}
          {datasets.map((d, i) => (
            <span key={d.id}>
              {i > 0 && ', '}
              <Link href={explorerUrl({ node: d.id, depth: state.depth, direction: state.direction, columns: true, asOf: state.asOf })}>
                {d.name}
              </Link>
            </span>
          ))}
        </>
      )}
    </div>
  );
}

/** The graph as tables: every node with its neighbours, every edge; what a screen reader or a search finds. */
function ListView({ graph, state, go }: { graph: LineageGraph; state: ExplorerState; go: Go }) {
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const degree = useMemo(() => {
    const d = new Map<string, { up: number; down: number }>();
    for (const e of graph.edges) {
      const s = d.get(e.source) ?? { up: 0, down: 0 };
      s.down++;
      d.set(e.source, s);
      const t = d.get(e.target) ?? { up: 0, down: 0 };
      t.up++;
      d.set(e.target, t);
    }
    return d;
  }, [graph]);
  const label = (n: LineageNode | undefined, id: string) => (n ? `${n.name} (${kindLabel(n.kind).toLowerCase()})` : id);
  return (
    <div className="lineage-list">
      <section className="section" aria-labelledby="lineage-nodes">
        <h2 id="lineage-nodes">Nodes ({graph.nodes.length})</h2>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Name</th>
                <th scope="col">Where</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Upstream
                </th>
                <th scope="col" className="num">
                  Downstream
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {graph.nodes.map((n) => (
                <tr key={n.id} aria-current={n.id === state.selected ? 'true' : undefined}>
                  <td>
                    <span className={`badge badge-${n.kind === 'field' ? 'dataset' : n.kind}`}>
                      <KindIcon kind={n.kind} /> {kindLabel(n.kind)}
                    </span>
                  </td>
                  <td className="mono">{n.name}</td>
                  <td className="muted">{n.place}</td>
                  <td>{n.tone ? <span className={`badge ${n.tone}`}>{n.detail}</span> : n.detail}</td>
                  <td className="num">{degree.get(n.id)?.up ?? 0}</td>
                  <td className="num">{degree.get(n.id)?.down ?? 0}</td>
                  <td className="lineage-actions">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => go({ selected: n.id }, { replace: true })}
                      aria-label={`Details of ${n.name}`}
                    >
                      Details
                    </button>
                    {n.id !== state.node && (
                      <Link
                        href={explorerUrl({
                          node: n.id,
                          depth: state.depth,
                          direction: state.direction,
                          columns: state.columns,
                          asOf: state.asOf,
                          view: 'list',
                        })}
                        aria-label={`Centre on ${n.name}`}
                      >
                        Centre
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="section" aria-labelledby="lineage-edges">
        <h2 id="lineage-edges">Edges ({graph.edges.length})</h2>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {graph.edges.map((e) => (
                <tr key={e.id}>
                  <td className="mono">{label(byId.get(e.source), e.source)}</td>
                  <td className="mono">{label(byId.get(e.target), e.target)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
