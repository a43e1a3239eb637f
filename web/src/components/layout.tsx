import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { href } from '../links';
import { Search } from './search';
import { SessionPanel } from './session-panel';

function NavLink({ to, match, children }: { to: string; match: string; children: ReactNode }) {
  const [active] = useRoute(match);
  return (
    <Link href={to} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href={href.home()} className="brand" aria-label="Pedigree home">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <path d="M4 8 L12 4 M4 8 L12 12" stroke="currentColor" strokeWidth="1.2" />
            <circle cx="4" cy="8" r="2.6" fill="#2563eb" />
            <circle cx="12" cy="4" r="2.2" fill="#16a34a" />
            <circle cx="12" cy="12" r="2.2" fill="#16a34a" />
          </svg>
          Pedigree
        </Link>
        <nav aria-label="Main">
          <NavLink to={href.lineage('')} match="/lineage">
            Lineage
          </NavLink>
          <NavLink to={href.models()} match="/models/*?">
            Models
          </NavLink>
          <NavLink to={href.deployments()} match="/deployments/*?">
            Deployments
          </NavLink>
          <NavLink to={href.producers()} match="/producers/*?">
            Producers
          </NavLink>
        </nav>
        <Search />
        <SessionPanel />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
