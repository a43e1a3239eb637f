import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { type OidcSignIn, takesKeys, useAuthConfig } from '../api/auth-config';
import { SCOPES, useMe } from '../api/me';
import { useSession, writeSession } from '../api/session';

/**
 * Who the browser acts as. With single sign-on: "Sign in" at the OIDC issuer (GET /api/v1/auth/config
 * says whether Pedigree has one), "Sign out" forgets the token. With keys configured: paste an API key
 * (kept for this browser session). With authentication off: name the actor the audit log records.
 */
export function SessionPanel() {
  const me = useMe();
  const config = useAuthConfig();
  const client = useQueryClient();
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [failure, setFailure] = useState<string>();
  const id = useId();
  const refused = me.isError && (me.error as { status?: number }).status === 401;
  const oidc = config.data?.oidc ?? undefined;
  const keys = takesKeys(config.data) || (refused && !oidc);
  const authOn = config.data ? config.data.authentication !== 'off' : keys;

  const save = (next: Parameters<typeof writeSession>[0]) => {
    writeSession(next);
    setEditing(false);
    setValue('');
    // Everything read so far was read as someone else: dropped, not shown while read again.
    void client.resetQueries();
  };
  const signIn = (target: OidcSignIn) => {
    setFailure(undefined);
    import('../api/sign-in')
      .then((m) => m.startSignIn(target).catch((e) => Promise.reject(new Error(m.signInFailure(e)))))
      .catch((e: Error) => setFailure(`Could not reach the sign-in page: ${e.message}`));
  };

  if (editing) {
    return (
      <form
        className="session-panel"
        onSubmit={(e) => {
          e.preventDefault();
          save(keys ? { apiKey: value.trim() } : { actor: value.trim() });
        }}
      >
        <label htmlFor={id}>{keys ? 'API key' : 'Act as'}</label>
        <input
          id={id}
          type={keys ? 'password' : 'text'}
          autoComplete="off"
          value={value}
          placeholder={keys ? 'pasted key, kept for this browser session' : 'your name, for the audit log'}
          onChange={(e) => setValue(e.target.value)}
          // biome-ignore lint/a11y/noAutofocus: the user just asked for this field.
          autoFocus
        />
        <button type="submit">Save</button>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    );
  }
  const who = refused || !me.data ? (me.isPending ? '…' : 'not signed in') : me.data.name;
  const error = failure ?? session.signInError;
  return (
    <div className="session-panel">
      <span className="muted">{authOn ? 'Signed in as' : 'Acting as'}</span>{' '}
      <strong data-testid="principal" title={me.data ? `scopes: ${me.data.scopes.join(', ') || 'none'}` : undefined}>
        {who}
      </strong>
      {/* Only a limited principal's scopes are worth the header's room: they say what it may not do. */}
      {me.data && me.data.scopes.length < SCOPES.length && <span className="muted"> (may {me.data.scopes.join(', ') || 'nothing'})</span>}{' '}
      {session.token ? (
        // The issuer's own session is left as it is: signing in again may not ask for a password.
        <button type="button" className="link-button" onClick={() => save({})}>
          Sign out
        </button>
      ) : (
        <>
          {oidc && (
            <button type="button" className="link-button" onClick={() => signIn(oidc)}>
              Sign in
            </button>
          )}
          {(keys || !oidc) && (
            <button type="button" className="link-button" onClick={() => setEditing(true)}>
              {keys ? (session.apiKey ? 'Change key' : 'Set API key') : 'Change'}
            </button>
          )}
          {session.apiKey && (
            <button type="button" className="link-button" onClick={() => save({})}>
              Forget key
            </button>
          )}
        </>
      )}
      {error && (
        <span className="sign-in-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
