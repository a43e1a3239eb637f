import { api } from './client';
import type { components } from './schema';

/** How Pedigree says the UI signs in (GET /api/v1/auth/config); `oidc` is null without single sign-on. */
export type AuthConfig = components['schemas']['AuthConfig'];
export type OidcSignIn = NonNullable<AuthConfig['oidc']>;

/** Public, and fixed for the server's life. */
export function useAuthConfig() {
  return api.useQuery('get', '/api/v1/auth/config', {}, { staleTime: Number.POSITIVE_INFINITY });
}

/** The SPA's callback route: registered at the issuer as the client's redirect URI (`<origin>/auth/callback`). */
export const CALLBACK_PATH = '/auth/callback';

/** Whether API keys are one way in (the panel then offers a key field). */
export const takesKeys = (config: AuthConfig | undefined) => config?.authentication === 'keys' || config?.authentication === 'keys+oidc';
