// Hash routes: every view is a shareable URL and the server serves only `/` and its assets.
//   #/namespaces/<ns>/workflows?query=…&cursor=…
//   #/namespaces/<ns>/workflows/<id>/<runId>?tab=…
//   #/namespaces/<ns>/start?from=<id>/<runId>
//   #/namespaces/<ns>/(schedules|batches|packages|task-queues)
//   #/namespaces   #/cluster
import { useEffect, useState } from 'preact/hooks';

export const NS_VIEWS = ['schedules', 'batches', 'packages', 'task-queues'] as const;
export type NsView = (typeof NS_VIEWS)[number];

export type Route =
  | { readonly view: 'workflows'; readonly ns: string; readonly params: URLSearchParams }
  | {
      readonly view: 'run';
      readonly ns: string;
      readonly workflowId: string;
      readonly runId: string;
      readonly params: URLSearchParams;
    }
  | { readonly view: 'start'; readonly ns: string; readonly params: URLSearchParams }
  | { readonly view: NsView; readonly ns: string; readonly params: URLSearchParams }
  | { readonly view: 'namespaces' | 'cluster'; readonly params: URLSearchParams }
  | { readonly view: 'not-found'; readonly path: string; readonly params: URLSearchParams };

const dec = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The route of a location hash (`#/…`); the empty hash is the default namespace's workflows. */
export function parseHash(hash: string, defaultNs: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(dec);
  if (parts.length === 0) return { view: 'workflows', ns: defaultNs, params };
  if (parts[0] === 'cluster' && parts.length === 1) return { view: 'cluster', params };
  if (parts[0] === 'namespaces') {
    const ns = parts[1];
    if (ns === undefined) return { view: 'namespaces', params };
    const view = parts[2] ?? 'workflows';
    if (view === 'workflows') {
      if (parts.length === 3) return { view: 'workflows', ns, params };
      const workflowId = parts[3];
      const runId = parts[4];
      if (workflowId !== undefined && runId !== undefined && parts.length === 5)
        return { view: 'run', ns, workflowId, runId, params };
    }
    if (view === 'start' && parts.length === 3) return { view: 'start', ns, params };
    if ((NS_VIEWS as readonly string[]).includes(view) && parts.length === 3)
      return { view: view as NsView, ns, params };
  }
  return { view: 'not-found', path, params };
}

const enc = encodeURIComponent;

function withParams(path: string, params?: Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') sp.set(k, v);
  const s = sp.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export const href = {
  workflows: (ns: string, params?: Record<string, string | undefined>): string =>
    withParams(`/namespaces/${enc(ns)}/workflows`, params),
  run: (ns: string, workflowId: string, runId: string, tab?: string): string =>
    withParams(`/namespaces/${enc(ns)}/workflows/${enc(workflowId)}/${enc(runId)}`, { tab }),
  start: (ns: string, from?: { workflowId: string; runId: string }): string =>
    withParams(`/namespaces/${enc(ns)}/start`, {
      from: from ? `${from.workflowId}/${from.runId}` : undefined,
    }),
  nsView: (ns: string, view: NsView): string => `#/namespaces/${enc(ns)}/${view}`,
  namespaces: (): string => '#/namespaces',
  cluster: (): string => '#/cluster',
};

/** The current location hash, kept up to date. */
export function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function navigate(to: string, replace = false): void {
  if (replace) {
    window.history.replaceState(null, '', to);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = to.replace(/^#/, '');
}
