import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { problemOf } from '../api/client';

/** What failed, said in words, with a retry: a page never shows a blank on error. */
export function ErrorPanel({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  const problem = problemOf(error);
  return (
    <div className="error-panel" role="alert">
      <strong>
        Could not load {what}
        {problem.status ? ` (${problem.status} ${problem.title})` : `: ${problem.title}`}
      </strong>
      {problem.detail && <p>{problem.detail}</p>}
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.pointer}:${e.message}`}>
              <code>{e.pointer || '/'}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-live="polite" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** Renders a query's data, or its loading or error state. */
export function Loaded<T>({
  query,
  what,
  children,
}: {
  query: UseQueryResult<T, unknown>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorPanel error={query.error} what={what} retry={() => void query.refetch()} />;
  return <>{children(query.data as T)}</>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
