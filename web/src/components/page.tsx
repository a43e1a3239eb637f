import { type ReactNode, useEffect } from 'react';

/** A page: its heading is the document title too (what a screen reader announces, what a tab shows). */
export function Page({
  title,
  kicker,
  actions,
  children,
}: {
  title: string;
  kicker?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Pedigree`;
  }, [title]);
  return (
    <article className="page">
      <header className="page-header">
        <div>
          {kicker && <div className="kicker">{kicker}</div>}
          <h1>{title}</h1>
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </article>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = id ?? `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}
