import { useCallback } from 'react';
import { useLocation } from 'wouter';
import { usePathname, useSearch } from 'wouter/use-browser-location';

/*
 * The page's state in its URL, read one way by every page.
 */

/**
 * The URL as the browser holds it, read once. wouter's own `useParams`, `useSearch` and `useSearchParams`
 * hand over a path and query already passed through `decodeURI` (which decodes `%25` but not `%2F` or
 * `%3A`): decoding them again turns a name holding `%3A` literally into `:`. These read the raw pathname
 * and query instead, so each segment written by `href.*` (encodeURIComponent) is decoded exactly once.
 */
export function usePathSegments(): string[] {
  return usePathname()
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** The query parameters, and a setter that keeps the others (a new history entry, or `replace`). */
export function useQueryState(): [URLSearchParams, (changes: Record<string, string | number | undefined>, replace?: boolean) => void] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const set = useCallback(
    (changes: Record<string, string | number | undefined>, replace = false) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === '' || value === 0) next.delete(key);
        else next.set(key, String(value));
      }
      const query = next.toString();
      navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, { replace });
    },
    [navigate],
  );
  return [params, set];
}

/** A page offset held in the URL (`?<key>=<offset>`), never negative. */
export function useOffsetParam(key: string): [number, (offset: number) => void] {
  const [params, set] = useQueryState();
  const raw = Number(params.get(key) ?? 0);
  const offset = Number.isInteger(raw) && raw > 0 ? raw : 0;
  return [offset, (next: number) => set({ [key]: Math.max(0, next) })];
}

type SearchInit = URLSearchParams | Record<string, string> | string;

/**
 * wouter's `useSearchParams`, minus its extra decoding: the query as the browser holds it, and a setter
 * taking the next parameters (or a function of the current ones) that pushes a history entry, or
 * replaces the current one with `{ replace: true }`.
 */
export function useSearchParams(): [
  URLSearchParams,
  (next: SearchInit | ((current: URLSearchParams) => SearchInit), options?: { replace?: boolean }) => void,
] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const set = useCallback(
    (next: SearchInit | ((current: URLSearchParams) => SearchInit), options: { replace?: boolean } = {}) => {
      const value = typeof next === 'function' ? next(new URLSearchParams(window.location.search)) : next;
      const query = new URLSearchParams(value).toString();
      navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, options);
    },
    [navigate],
  );
  return [new URLSearchParams(search), set];
}
