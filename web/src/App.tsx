import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiContext } from './context';
import { ApiError, createApi } from './lib/api';
import { clearCredential, loadCredential, saveCredential, type Credential } from './lib/auth';
import { useLiveEvents } from './live';
import { OverviewPage } from './pages/Overview';
import { SessionsPage } from './pages/Sessions';
import { SessionDetailPage } from './pages/SessionDetail';
import { SignInPage } from './pages/SignIn';
import { WebhooksPage } from './pages/Webhooks';
import { TokensPage } from './pages/Tokens';
import { SecurityPage } from './pages/Security';
import { ContactsPage } from './pages/Contacts';
import { GroupsPage } from './pages/Groups';
import { SendPage } from './pages/Send';
import { MessageDetailPage, MessagesPage } from './pages/Messages';
import { Link, usePath } from './router';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live events refresh what changed; no refetch storms on focus.
      refetchOnWindowFocus: false,
      staleTime: 10_000,
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

export function App() {
  const [credential, setCredential] = useState<Credential | null>(() => loadCredential(window.sessionStorage));
  const [notice, setNotice] = useState<string | null>(null);

  const signedIn = useCallback((c: Credential) => {
    saveCredential(window.sessionStorage, c);
    setNotice(null);
    setCredential(c);
  }, []);

  const signOut = useCallback((reason?: string) => {
    const current = loadCredential(window.sessionStorage);
    clearCredential(window.sessionStorage);
    queryClient.clear();
    setCredential(null);
    setNotice(reason ?? null);
    // A password sign-in also set the HttpOnly login cookie: clear it too.
    if (current?.via === 'password') {
      void fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${current.token}` } }).catch(() => undefined);
    }
  }, []);

  if (!credential) return <SignInPage onSignedIn={signedIn} notice={notice} />;
  return (
    <QueryClientProvider client={queryClient}>
      <Dashboard credential={credential} signOut={signOut} />
    </QueryClientProvider>
  );
}

const PAGES = [
  { to: '/', label: 'Overview' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/send', label: 'Send' },
  { to: '/messages', label: 'Messages' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/groups', label: 'Groups' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/tokens', label: 'Tokens' },
  { to: '/security', label: 'Security' },
] as const;

/** The page a path shows: a nav page, a session or message page, or not found. */
function pageOf(path: string): string {
  const nav = PAGES.find((p) => p.to === path);
  if (nav) return nav.label;
  if (path.startsWith('/sessions/')) return 'Session';
  if (path.startsWith('/messages/')) return 'Message';
  return 'Not found';
}

function Dashboard({ credential, signOut }: { credential: Credential; signOut: (reason?: string) => void }) {
  const path = usePath();
  const expired = useCallback(() => signOut('Your sign-in is no longer valid. Sign in again.'), [signOut]);
  const api = useMemo(() => createApi(() => credential.token, expired), [credential.token, expired]);
  const live = useLiveEvents(credential.token, queryClient, expired);

  const page = pageOf(path);
  useEffect(() => {
    document.title = `${page} · Switchboard`;
  }, [page]);

  // After navigating, focus goes to the page's heading (screen readers announce the new page).
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  const liveLabel = live === 'open' ? 'Live' : live === 'connecting' ? 'Connecting…' : live === 'unauthorized' ? 'Signed out' : 'Reconnecting…';
  return (
    <ApiContext.Provider value={api}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/ui/" aria-label="Switchboard home">
          <img src="/ui/favicon.svg" alt="" width="24" height="24" />
          <span>Switchboard</span>
        </a>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.to}>
                <Link to={p.to} current={p.to === '/' ? path === '/' : path === p.to || path.startsWith(`${p.to}/`)}>
                  {p.label}
                </Link>
              </li>
            ))}
            <li>
              <a href="/docs" target="_blank" rel="noopener">
                API docs
              </a>
            </li>
          </ul>
        </nav>
        <div className="topbar-end">
          <span className={`live live-${live}`} role="status" aria-label={`Live updates: ${liveLabel}`}>
            <span className="live-dot" aria-hidden="true" />
            {liveLabel}
          </span>
          <button type="button" className="button secondary" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef}>
        {path === '/' && <OverviewPage />}
        {path === '/sessions' && <SessionsPage />}
        {path.startsWith('/sessions/') && <SessionDetailPage id={decodeURIComponent(path.slice('/sessions/'.length))} />}
        {path === '/send' && <SendPage />}
        {path === '/messages' && <MessagesPage />}
        {path.startsWith('/messages/') && <MessageDetailPage id={decodeURIComponent(path.slice('/messages/'.length))} />}
        {path === '/contacts' && <ContactsPage />}
        {path === '/groups' && <GroupsPage />}
        {page === 'Webhooks' && <WebhooksPage token={credential.token} />}
        {page === 'Tokens' && <TokensPage isAdmin={credential.isAdmin} />}
        {page === 'Security' && <SecurityPage via={credential.via} onPasswordChanged={() => signOut('Password changed. Sign in with the new password.')} />}
        {page === 'Not found' && (
          <>
            <h1 tabIndex={-1}>Page not found</h1>
            <p>
              There is no page at this address. Go to the <Link to="/">Overview</Link>.
            </p>
          </>
        )}
      </main>
    </ApiContext.Provider>
  );
}
