// The console: session gate, then the shell (header, navigation, namespace picker) around
// the view the location hash names.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { onUnauthenticated } from './api.js';
import { ErrorBox } from './components/error-box.js';
import { parseHash, useHash } from './router.js';
import { abilities, loadSession, SessionContext, signOut, useSession } from './session.js';
import { Shell } from './shell.js';
import type { SessionInfo } from './types.js';
import { SignIn } from './views/sign-in.js';
import { ViewFor } from './views/view-for.js';

export function App() {
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [error, setError] = useState<unknown>();
  const probe = useCallback(() => {
    loadSession().then(setSession, setError);
  }, []);
  useEffect(probe, [probe]);
  useEffect(
    () => onUnauthenticated(() => setSession((s) => (s ? { ...s, authenticated: false } : s))),
    [],
  );
  const context = useMemo(
    () =>
      session && {
        session,
        can: abilities(session.role),
        signOut: () => {
          signOut().then(probe, probe);
        },
      },
    [session, probe],
  );
  if (error !== undefined)
    return (
      <main class="center">
        <h1>Aion console</h1>
        <ErrorBox error={error} />
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  if (!session || !context)
    return (
      <main class="center" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  if (session.authRequired && !session.authenticated) return <SignIn onSignedIn={setSession} />;
  return (
    <SessionContext.Provider value={context}>
      <Routed />
    </SessionContext.Provider>
  );
}

function Routed() {
  const hash = useHash();
  const { session } = useSession();
  // The namespace last used, if this key may use it; else the key's first, else `default`.
  const [defaultNs] = useState(() => {
    const last = localStorage.getItem('aion.console.namespace');
    const allowed = session.namespaces ?? undefined;
    if (last !== null && (!allowed || allowed.includes(last))) return last;
    return allowed?.[0] ?? 'default';
  });
  const route = parseHash(hash, defaultNs);
  const ns = 'ns' in route ? route.ns : defaultNs;
  useEffect(() => localStorage.setItem('aion.console.namespace', ns), [ns]);
  return (
    <Shell route={route} ns={ns}>
      <ViewFor route={route} />
    </Shell>
  );
}
