import { QueryClient } from '@tanstack/react-query';
import createFetchClient from 'openapi-fetch';
import createQueryClient from 'openapi-react-query';
import type { paths } from './schema';
import { readSession, sessionHeaders } from './session';

/**
 * The API client, typed from Pedigree's own /openapi.json (schema.d.ts is generated from the route
 * declarations by scripts/openapi-types.ts): an API change that breaks a page breaks `npm run typecheck`.
 */
export const fetchClient = createFetchClient<paths>({ baseUrl: '' });
fetchClient.use({
  onRequest({ request }) {
    for (const [name, value] of Object.entries(sessionHeaders())) request.headers.set(name, value);
    return request;
  },
  async onResponse({ request, response }) {
    // The issuer's token refused (expired): sign in again rather than fail silently (api/sign-in.ts). Only
    // a refusal of the token held now counts: an answer to a request sent before signing in does not.
    const token = readSession().token;
    if (response.status === 401 && token && request.headers.get('authorization') === `Bearer ${token}`) {
      await import('./sign-in').then((m) => m.tokenRefused(response));
    }
    return response;
  },
});

/** `api.useQuery('get', '/api/v1/…', { params })`, `api.useMutation('post', …)`: React Query, typed. */
export const api = createQueryClient(fetchClient);

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A 4xx will not get better by asking again; a network failure or a 5xx may.
      retry: (count, error) => count < 2 && !(problemOf(error).status >= 400 && problemOf(error).status < 500),
    },
  },
});

/** An error as the page shows it: the problem+json Pedigree answered, or what the browser saw. */
export interface ShownProblem {
  status: number;
  title: string;
  detail?: string;
  errors?: { pointer: string; message: string }[];
}

export function problemOf(error: unknown): ShownProblem {
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    if (typeof e.title === 'string' || typeof e.status === 'number') {
      return {
        status: typeof e.status === 'number' ? e.status : 0,
        title: typeof e.title === 'string' ? e.title : 'Error',
        ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
        ...(Array.isArray(e.errors) ? { errors: e.errors as ShownProblem['errors'] } : {}),
      };
    }
    // MLflow-shaped errors
    if (typeof e.message === 'string' && typeof e.error_code === 'string') return { status: 0, title: e.error_code, detail: e.message };
    if (error instanceof Error) return { status: 0, title: 'The request failed', detail: error.message };
  }
  return { status: 0, title: 'The request failed', detail: String(error) };
}
