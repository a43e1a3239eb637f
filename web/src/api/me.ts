import { api } from './client';

export const SCOPES = ['ingest', 'read', 'write', 'approve', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who Pedigree takes the browser for, and what it may do. */
export function useMe() {
  return api.useQuery('get', '/api/v1/me', {}, { staleTime: 60_000 });
}

/** Whether the principal may use a button needing `scope`, and if not, why (said on the disabled button). */
export function useCan(scope: Scope): { allowed: boolean; reason?: string } {
  const me = useMe();
  if (me.isPending) return { allowed: false, reason: 'checking who you are…' };
  if (me.isError || !me.data) return { allowed: false, reason: 'Pedigree did not say who you are: sign in or set an API key' };
  if (me.data.scopes.includes(scope)) return { allowed: true };
  return { allowed: false, reason: `${me.data.name} does not have the ${scope} scope` };
}
