/** The console's shell: sign-in, navigation by role, hash routes. */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it before anything loads
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  devSignIn,
  fetchConfig,
  loadSession,
  oidcCallback,
  oidcSignIn,
  saveSession,
  SESSION_EXPIRED,
  signOut,
  type ConsoleConfig,
  type Session,
} from './lib/session';
import { ALL_ROLES, canSee, type View } from './lib/roles';
import { LedgerView } from './views/ledger-view';
import { OrdersView, ShipmentsView, StockView } from './views/operations-view';
import { RecallView } from './views/recall-view';
import { TraceView } from './views/trace-view';
import { BenchView } from './views/bench-view';
import './styles.css';

const NAV: Array<[View, string]> = [
  ['trace', 'Trace'],
  ['recall', 'Recall'],
  ['stock', 'Stock'],
  ['shipments', 'Shipments'],
  ['orders', 'Orders & payments'],
  ['ledger', 'Ledger'],
];

const routeOf = () => location.hash.replace(/^#\/?/, '').split('?')[0] || '';

function SignIn({ config, onSession, notice }: { config: ConsoleConfig; onSession: (s: Session) => void; notice?: string }) {
  const [error, setError] = useState<string>();
  return (
    <main id="main" class="sign-in" aria-labelledby="signin-title">
      <h1 id="signin-title">coffee-trace console · {config.mspId}</h1>
      {notice && (
        <p role="status" data-testid="session-notice">
          {notice}
        </p>
      )}
      {config.auth.mode === 'dev' && (
        <>
          <p>Development issuer: choose the role to sign in with.</p>
          <ul class="roles">
            {ALL_ROLES.map((r) => (
              <li key={r}>
                <button type="button" onClick={() => devSignIn(r).then(onSession, (e: Error) => setError(e.message))}>
                  Sign in as {r}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {config.auth.mode === 'oidc' && (
        <button
          type="button"
          onClick={() => oidcSignIn(config.auth as Extract<ConsoleConfig['auth'], { mode: 'oidc' }>).catch((e: Error) => setError(e.message))}
        >
          Sign in with {new URL(config.auth.authority).host}
        </button>
      )}
      {config.auth.mode === 'none' && <p>This gateway names no browser sign-in (set CONSOLE_OIDC_AUTHORITY and CONSOLE_OIDC_CLIENT_ID).</p>}
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
    </main>
  );
}

function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | undefined>(loadSession());
  const [route, setRoute] = useState(routeOf());
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    const ended = (e: Event) => {
      setSession(undefined);
      setNotice((e as CustomEvent<string>).detail);
    };
    addEventListener('coffee-trace:session-ended', ended);
    return () => removeEventListener('coffee-trace:session-ended', ended);
  }, []);
  useEffect(() => {
    // A token that expires while the console is open ends the session then, with a word why.
    if (session?.expiresAt === undefined) return;
    const t = setTimeout(
      () => {
        saveSession(undefined);
        setSession(undefined);
        setNotice(SESSION_EXPIRED);
      },
      Math.max(0, Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1)),
    );
    return () => clearTimeout(t);
  }, [session]);
  useEffect(() => {
    fetchConfig()
      .then(async (c) => {
        setConfig(c);
        const s = await oidcCallback(c);
        if (s) {
          setSession(s);
          setNotice(undefined);
        }
      })
      .catch((e: Error) => setError(e.message));
    const on = () => setRoute(routeOf());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    document.title = `${NAV.find(([v]) => v === route)?.[1] ?? 'Console'} · coffee-trace`;
  }, [route]);
  if (error)
    return (
      <main id="main">
        <p role="alert">{error}</p>
      </main>
    );
  if (!config)
    return (
      <main id="main">
        <p>Loading…</p>
      </main>
    );
  if (route.startsWith('bench')) return <BenchView />;
  if (!session) return <SignIn config={config} onSession={setSession} notice={notice} />;
  const visible = NAV.filter(([v]) => canSee(session.roles, v));
  const current = (visible.find(([v]) => v === route) ?? visible[0])?.[0];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">coffee-trace · {config.mspId}</span>
        <nav aria-label="Views">
          {visible.map(([v, label]) => (
            <a key={v} href={`#/${v}`} aria-current={v === current ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.sub}
          {session.org ? ` of ${session.org}` : ''} ({session.roles.join(', ')}){' '}
          <button type="button" onClick={() => void signOut(config).finally(() => setSession(undefined))}>
            Sign out
          </button>
        </span>
      </header>
      {current === 'trace' && <TraceView roles={session.roles} />}
      {current === 'recall' && <RecallView roles={session.roles} />}
      {current === 'stock' && <StockView />}
      {current === 'shipments' && <ShipmentsView />}
      {current === 'orders' && <OrdersView />}
      {current === 'ledger' && <LedgerView roles={session.roles} />}
      {!current && (
        <main id="main">
          <p>Your roles ({session.roles.join(', ')}) open no view of this console.</p>
        </main>
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
