/**
 * The dashboard shell: login gate, session, live feed, navigation and the page for the route.
 *
 * @example
 * createRoot(el).render(<App />);
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client.ts';
import { LiveFeed } from './api/live-feed.ts';
import { loadSession, saveSession } from './api/session.ts';
import type { Session } from './api/types.ts';
import { AppContext, isAdmin, useApp, type AppContextValue } from './app-context.ts';
import { useHashRoute } from './use-hash-route.ts';
import { AlertsView } from './views/alerts-view.tsx';
import { ClientsView } from './views/clients-view.tsx';
import { ConfigView } from './views/config-view.tsx';
import { EventsView } from './views/events-view.tsx';
import { FaultsView, useFaultsAvailable } from './views/faults-view.tsx';
import { LoginView } from './views/login-view.tsx';
import { NodePage } from './views/node-page.tsx';
import { NodesView } from './views/nodes-view.tsx';
import { OverviewView } from './views/overview-view.tsx';
import { PositionsView } from './views/positions-view.tsx';
import { RadioNodePage } from './views/radio-node-page.tsx';
import { RadioView } from './views/radio-view.tsx';
import { TopologyView } from './views/topology-view.tsx';
import { UpgradePage } from './views/upgrade-page.tsx';
import { UpgradesView } from './views/upgrades-view.tsx';
import { UsersView } from './views/users-view.tsx';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const logout = useCallback(() => {
    saveSession(null);
    setSession(null);
  }, []);
  if (!session)
    return (
      <LoginView
        onLogin={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  return <Shell session={session} onLogout={logout} />;
}

function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const [connected, setConnected] = useState(false);
  const api = useMemo(() => new ApiClient(() => session.token, onLogout), [session, onLogout]);
  const [feed, setFeed] = useState<LiveFeed | null>(null);
  useEffect(() => {
    const f = new LiveFeed(() => api.post<{ ticket: string }>('/api/live/ticket'), setConnected);
    setFeed(f);
    return () => f.close();
  }, [api]);
  const navigate = useCallback((hash: string) => {
    location.hash = hash;
  }, []);
  const value = useMemo<AppContextValue | null>(
    () => (feed ? { api, session, feed, navigate } : null),
    [api, session, feed, navigate],
  );
  if (!value) return null;
  return (
    <AppContext.Provider value={value}>
      <Layout connected={connected} onLogout={onLogout} />
    </AppContext.Provider>
  );
}

const PAGES: { page: string; title: string }[] = [
  { page: 'overview', title: 'Overview' },
  { page: 'topology', title: 'Topology' },
  { page: 'nodes', title: 'Nodes' },
  { page: 'clients', title: 'Clients' },
  { page: 'positions', title: 'Positions' },
  { page: 'radio', title: 'Radio' },
  { page: 'alerts', title: 'Alerts' },
  { page: 'events', title: 'Events' },
  { page: 'config', title: 'Configuration' },
  { page: 'upgrades', title: 'Upgrades' },
];

function Layout({ connected, onLogout }: { connected: boolean; onLogout: () => void }) {
  const route = useHashRoute();
  const { session, api } = useApp();
  const faults = useFaultsAvailable();
  // On a phone the navigation is a menu behind a button; following a link closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route.page, route.param]);
  const pages = [
    ...PAGES,
    ...(faults ? [{ page: 'faults', title: 'Fault injection' }] : []),
    ...(isAdmin(session) ? [{ page: 'users', title: 'Users' }] : []),
  ];
  return (
    <div className={`layout${menuOpen ? ' menu-open' : ''}`}>
      <nav className="sidebar" id="navigation" data-testid="navigation">
        <div className="brand">
          Intelli<span>Mesh</span>
        </div>
        {pages.map((p) => (
          <a
            key={p.page}
            href={`#/${p.page}`}
            className={route.page === p.page ? 'active' : undefined}
            onClick={() => setMenuOpen(false)}
          >
            {p.title}
          </a>
        ))}
      </nav>
      {menuOpen && (
        <div className="menu-backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />
      )}
      <div className="main">
        <header className="topbar">
          <button
            type="button"
            className="ghost menu-button"
            aria-controls="navigation"
            aria-expanded={menuOpen}
            aria-label="Menu"
            data-testid="menu-button"
            onClick={() => setMenuOpen((o) => !o)}
          >
            ☰
          </button>
          <span className={`live ${connected ? 'on' : 'off'}`} data-testid="live-indicator">
            {connected ? 'live' : 'reconnecting'}
          </span>
          <span className="spacer" />
          <span className="user" data-testid="user">
            {session.username} <em>{session.role}</em>
          </span>
          <button
            className="ghost"
            onClick={() => {
              void api.post('/api/logout').catch(() => undefined);
              onLogout();
            }}
          >
            Log out
          </button>
        </header>
        <main className="content">
          <Page page={route.page} param={route.param} />
        </main>
      </div>
    </div>
  );
}

function Page({ page, param }: { page: string; param: string | undefined }) {
  switch (page) {
    case 'topology':
      return <TopologyView />;
    case 'nodes':
      return param ? <NodePage node={param} /> : <NodesView />;
    case 'clients':
      return <ClientsView mac={param} />;
    case 'positions':
      return <PositionsView />;
    case 'radio':
      return param ? <RadioNodePage address={param} /> : <RadioView />;
    case 'alerts':
      return <AlertsView />;
    case 'events':
      return <EventsView />;
    case 'config':
      return <ConfigView initialNode={param} />;
    case 'faults':
      return <FaultsView />;
    case 'upgrades':
      return param ? <UpgradePage id={param} /> : <UpgradesView />;
    case 'users':
      return <UsersView />;
    default:
      return <OverviewView />;
  }
}
