import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { useAuthConfig } from '../api/auth-config';
import { Page } from '../components/page';
import { ErrorPanel, Loading } from '../components/state';

/** One exchange per callback URL: a code is good once, and React's strict mode runs effects twice. */
const exchanges = new Map<string, Promise<string>>();

/**
 * Where the issuer sends the browser back (`/auth/callback?code=…&state=…`): the code is exchanged for
 * tokens, then the user is where they were going.
 */
export default function AuthCallbackPage() {
  const config = useAuthConfig();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const [failure, setFailure] = useState<string>();
  const oidc = config.data?.oidc;

  useEffect(() => {
    if (!oidc) return;
    const url = window.location.href;
    let exchange = exchanges.get(url);
    if (!exchange) {
      exchange = import('../api/sign-in').then((m) =>
        m.finishSignIn(oidc, new URL(url)).catch((e) => Promise.reject(new Error(m.signInFailure(e)))),
      );
      exchanges.set(url, exchange);
    }
    exchange.then(
      (returnTo) => {
        // Everything read so far was read as no one.
        void client.resetQueries();
        navigate(returnTo, { replace: true });
      },
      (error: Error) => setFailure(error.message),
    );
  }, [oidc, navigate, client]);

  if (config.isError) return <ErrorPanel error={config.error} what="how to sign in" retry={() => void config.refetch()} />;
  if (config.data && !oidc) {
    return (
      <Page title="Sign-in failed">
        <p>Pedigree is not configured for single sign-on (PEDIGREE_OIDC_ISSUER and PEDIGREE_OIDC_CLIENT_ID).</p>
      </Page>
    );
  }
  if (failure) {
    return (
      <Page title="Sign-in failed">
        <p role="alert">{failure}</p>
        <button type="button" onClick={() => oidc && void import('../api/sign-in').then((m) => m.startSignIn(oidc, '/'))}>
          Sign in again
        </button>
      </Page>
    );
  }
  return <Loading what="your session" />;
}
