import { useMemo, useSyncExternalStore } from 'react';

/**
 * Who the browser acts as, kept for the browser session (sessionStorage: gone when the tab closes, never
 * sent anywhere but Pedigree). With API keys configured the user pastes a key; with single sign-on the
 * user signs in at the OIDC issuer and its access token is kept (api/sign-in.ts); without either, the
 * user names the actor recorded in the audit log (X-Pedigree-Actor).
 */
export interface Session {
  apiKey?: string;
  actor?: string;
  /** The issuer's access token, sent as Bearer; `obtainedAt` (ms) tells a fresh token refused from an expired one. */
  token?: string;
  obtainedAt?: number;
  /** Why the last sign-in did not give a usable session, shown by the session panel until the next one. */
  signInError?: string;
}

const KEY = 'pedigree.session';
const listeners = new Set<() => void>();

const FIELDS = ['apiKey', 'actor', 'token', 'obtainedAt', 'signInError'] as const;

function parseSession(raw: string | null): Session {
  try {
    const stored = JSON.parse(raw ?? '{}') as Record<string, unknown>;
    const session: Record<string, unknown> = {};
    for (const field of FIELDS) if (stored[field]) session[field] = stored[field];
    return session as Session;
  } catch {
    return {};
  }
}

export const readSession = (): Session => parseSession(sessionStorage.getItem(KEY));

/** The session, re-read whenever it changes (a sign-in, a sign-out, a key pasted). */
export function useSession(): Session {
  const raw = useSyncExternalStore(onSessionChange, () => sessionStorage.getItem(KEY));
  return useMemo(() => parseSession(raw), [raw]);
}

export function writeSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The headers that say who is calling. */
export function sessionHeaders(session = readSession()): Record<string, string> {
  if (session.token) return { authorization: `Bearer ${session.token}` };
  if (session.apiKey) return { authorization: `Bearer ${session.apiKey}` };
  if (session.actor) return { 'x-pedigree-actor': session.actor };
  return {};
}
