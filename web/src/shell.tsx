// Header (title, namespace picker, theme toggle, who is signed in) and the navigation.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { api } from './api.js';
import { useLoad } from './hooks.js';
import { href, NS_VIEWS, navigate, type NsView, type Route } from './router.js';
import { useSession } from './session.js';
import { useTheme } from './theme.js';
import type { NamespaceInfo } from './types.js';

const NS_LABELS: Record<NsView, string> = {
  schedules: 'Schedules',
  batches: 'Batches',
  packages: 'Packages',
  'task-queues': 'Task queues',
};

export function Shell(props: { route: Route; ns: string; children: ComponentChildren }) {
  const { route, ns } = props;
  const { session, signOut } = useSession();
  const [theme, nextTheme] = useTheme();
  const namespaces = useLoad(() => api<{ namespaces: NamespaceInfo[] }>('GET', '/namespaces'), []);
  // A key limited to some namespaces sees only those.
  const allowed = session.namespaces ?? undefined;
  const names = (namespaces.data?.namespaces.map((n) => n.name) ?? allowed ?? [ns]).filter(
    (n) => !allowed || allowed.includes(n),
  );
  if (!names.includes(ns)) names.push(ns);
  const active = route.view === 'run' || route.view === 'start' ? 'workflows' : route.view;
  useEffect(() => {
    document.title = `${titleOf(route)} · Aion console`;
  }, [route]);
  const switchNs = (to: string): void => {
    if (route.view === 'workflows' || route.view === 'run' || route.view === 'start')
      navigate(href.workflows(to));
    else if ((NS_VIEWS as readonly string[]).includes(route.view))
      navigate(href.nsView(to, route.view as NsView));
    else navigate(href.workflows(to));
  };
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href.workflows(ns)}>
          Aion
        </a>
        <label class="ns-picker">
          <span>Namespace</span>
          <select value={ns} onChange={(e) => switchNs(e.currentTarget.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span class="spacer" />
        <button
          type="button"
          class="ghost"
          onClick={nextTheme}
          aria-label={`Theme: ${theme}. Change theme`}
          title="Change theme"
        >
          {theme === 'system' ? 'Theme: system' : theme === 'dark' ? 'Theme: dark' : 'Theme: light'}
        </button>
        <span class="who" data-testid="who">
          {session.name ?? (session.authRequired ? 'signed in' : 'no auth')} ·{' '}
          <span data-testid="role">{session.role ?? 'reader'}</span>
        </span>
        {session.authRequired && (
          <button type="button" class="ghost" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <nav class="sidenav" aria-label="Main">
        <ul>
          <NavItem to={href.workflows(ns)} current={active === 'workflows'} label="Workflows" />
          {NS_VIEWS.map((v) => (
            <NavItem key={v} to={href.nsView(ns, v)} current={active === v} label={NS_LABELS[v]} />
          ))}
          <NavItem to={href.namespaces()} current={active === 'namespaces'} label="Namespaces" />
          <NavItem to={href.cluster()} current={active === 'cluster'} label="Cluster" />
        </ul>
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

function NavItem(props: { to: string; current: boolean; label: string }) {
  return (
    <li>
      <a href={props.to} aria-current={props.current ? 'page' : undefined}>
        {props.label}
      </a>
    </li>
  );
}

function skipToMain(e: Event): void {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

function titleOf(route: Route): string {
  switch (route.view) {
    case 'workflows':
      return 'Workflows';
    case 'run':
      return route.workflowId;
    case 'start':
      return 'Start a workflow';
    case 'namespaces':
      return 'Namespaces';
    case 'cluster':
      return 'Cluster';
    case 'not-found':
      return 'Not found';
    default:
      return NS_LABELS[route.view];
  }
}
