import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../api/client';
import { likeText, mlflowLiteral } from '../api/mlflow-filter';
import { href } from '../links';

interface Hit {
  kind: 'dataset' | 'job' | 'model' | 'endpoint';
  label: string;
  detail: string;
  to: string;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

/**
 * One search over datasets, jobs, models and endpoints. `/` focuses it from anywhere (not while typing in
 * a field); arrows move through the results, Enter opens one, Escape closes them.
 */
export function Search() {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const [, navigate] = useLocation();
  const listId = useId();
  const q = useDebounced(text.trim(), 150);
  const enabled = q.length > 0;

  const lineage = api.useQuery('get', '/api/v1/search', { params: { query: { q, limit: 8 } } }, { enabled });
  const modelFilter = mlflowLiteral(`%${likeText(q)}%`);
  const models = api.useQuery(
    'get',
    '/api/2.0/mlflow/registered-models/search',
    { params: { query: { filter: `name ILIKE ${modelFilter}`, max_results: 5 } } },
    { enabled: enabled && modelFilter !== undefined },
  );
  const deployments = api.useQuery('get', '/api/v1/deployments', {}, { enabled });

  const hits = useMemo<Hit[]>(() => {
    if (!enabled) return [];
    const found: Hit[] = [];
    for (const r of lineage.data?.results ?? []) {
      found.push(
        r.type === 'DATASET'
          ? { kind: 'dataset', label: r.name, detail: r.namespace, to: href.dataset(r.namespace, r.name) }
          : { kind: 'job', label: r.name, detail: r.namespace, to: href.job(r.namespace, r.name) },
      );
    }
    for (const m of models.data?.registered_models ?? [])
      found.push({ kind: 'model', label: m.name, detail: 'model', to: href.model(m.name) });
    const lower = q.toLowerCase();
    for (const d of deployments.data?.deployments ?? []) {
      if (d.current && d.endpoint.toLowerCase().includes(lower)) {
        found.push({
          kind: 'endpoint',
          label: d.endpoint,
          detail: `${d.environment} → ${d.model} v${d.version}`,
          to: href.deployment(d.environment, d.endpoint),
        });
      }
    }
    return found;
  }, [enabled, q, lineage.data, models.data, deployments.data]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const go = (hit: Hit | undefined) => {
    if (!hit) return;
    setOpen(false);
    setText('');
    input.current?.blur();
    navigate(hit.to);
  };
  const loading = enabled && (lineage.isFetching || models.isFetching || deployments.isFetching);
  const failed = lineage.isError || models.isError || deployments.isError;
  const shown = open && enabled;

  return (
    // biome-ignore lint/a11y/useSemanticElements: a search landmark; <search> is not yet in React's element types.
    <div className="search" role="search">
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        Search datasets, jobs, models and endpoints
      </label>
      <input
        ref={input}
        id={`${listId}-input`}
        type="search"
        placeholder="Search datasets, jobs, models, endpoints  ( / )"
        autoComplete="off"
        role="combobox"
        aria-expanded={shown}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={shown && hits[active] ? `${listId}-${active}` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((i) => Math.min(i + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            go(hits[active]);
          } else if (e.key === 'Escape') {
            setOpen(false);
          }
        }}
      />
      {shown && (
        <div id={listId} role="listbox" className="search-results" aria-label="Search results">
          {hits.map((hit, i) => (
            <div
              key={`${hit.kind}:${hit.to}`}
              tabIndex={-1}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                go(hit);
              }}
            >
              <span className={`badge badge-${hit.kind}`}>{hit.kind}</span> <span className="hit-label">{hit.label}</span>{' '}
              <span className="muted">{hit.detail}</span>
            </div>
          ))}
          {hits.length === 0 && (
            <div className="muted" role="status">
              {loading ? 'Searching…' : failed ? 'The search failed; try again' : 'Nothing matches'}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
