import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { SCOPES, useMe } from '../api/me';
import { readSession, writeSession } from '../api/session';

/**
 * Who the browser acts as. With keys configured: paste an API key (kept for this browser session). With
 * authentication off: name the actor the audit log records.
 */
export function SessionPanel() {
  const me = useMe();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const id = useId();
  const keys = me.data?.authentication === 'keys' || (me.isError && (me.error as { status?: number }).status === 401);
  const session = readSession();

  const save = (next: string) => {
    writeSession(keys ? { apiKey: next.trim() } : { actor: next.trim() });
    setEditing(false);
    setValue('');
    // Everything read so far was read as someone else.
    void client.invalidateQueries();
  };

  if (editing) {
    return (
      <form
        className="session-panel"
        onSubmit={(e) => {
          e.preventDefault();
          save(value);
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
  const who = me.data ? me.data.name : me.isPending ? '…' : 'not signed in';
  return (
    <div className="session-panel">
      <span className="muted">{keys ? 'Signed in as' : 'Acting as'}</span>{' '}
      <strong data-testid="principal" title={me.data ? `scopes: ${me.data.scopes.join(', ') || 'none'}` : undefined}>
        {who}
      </strong>
      {/* Only a limited principal's scopes are worth the header's room: they say what it may not do. */}
      {me.data && me.data.scopes.length < SCOPES.length && <span className="muted"> (may {me.data.scopes.join(', ') || 'nothing'})</span>}{' '}
      <button type="button" className="link-button" onClick={() => setEditing(true)}>
        {keys ? (session.apiKey ? 'Change key' : 'Set API key') : 'Change'}
      </button>
      {session.apiKey && (
        <button type="button" className="link-button" onClick={() => save('')}>
          Forget key
        </button>
      )}
    </div>
  );
}
