/** Small badges shared by the home, deployments and producers pages (colours from styles.css). */

export function RunStateBadge({ state }: { state: string | null | undefined }) {
  if (!state) return <span className="muted">no run</span>;
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function StageBadge({ stage }: { stage: string | null | undefined }) {
  if (!stage) return <span className="muted">—</span>;
  return <span className={`badge stage-${stage}`}>{stage}</span>;
}

/** A yes/no verdict said in words (never colour alone). */
export function VerdictBadge({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <span className={`badge ${ok ? 'verdict-pass' : 'verdict-fail'}`}>
      <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
      {ok ? yes : no}
    </span>
  );
}

/** A long id shown short, the whole id in the title and for copying. */
export function ShortId({ id, length = 8 }: { id: string; length?: number }) {
  return (
    <code className="mono" title={id}>
      {id.length > length + 1 ? `${id.slice(0, length)}…` : id}
    </code>
  );
}
