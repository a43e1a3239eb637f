/**
 * Who the browser acts as, kept for the browser session (sessionStorage: gone when the tab closes, never
 * sent anywhere but Pedigree). With API keys configured the user pastes a key; without, the user names the
 * actor recorded in the audit log (X-Pedigree-Actor).
 */
export interface Session {
  apiKey?: string;
  actor?: string;
}

const KEY = 'pedigree.session';
const listeners = new Set<() => void>();

export function readSession(): Session {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Session;
    return { ...(stored.apiKey ? { apiKey: stored.apiKey } : {}), ...(stored.actor ? { actor: stored.actor } : {}) };
  } catch {
    return {};
  }
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
  if (session.apiKey) return { authorization: `Bearer ${session.apiKey}` };
  if (session.actor) return { 'x-pedigree-actor': session.actor };
  return {};
}
