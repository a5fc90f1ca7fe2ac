// One console under test: the server (with keys when the server offers console sessions),
// the page's origin, and the browser.
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '../../support/wait.js';
import { startBackend, type ConsoleBackend } from './aion.js';
import { launchBrowser } from './browser.js';
import { buildConsole, openFront, type Front } from './front.js';

export type ConsoleRole = 'admin' | 'operator' | 'reader';

export interface Harness {
  readonly backend: ConsoleBackend;
  readonly front: Front;
  readonly browser: Browser;
  /** True when the server signs the console in with a session cookie (keys required). */
  readonly sessions: boolean;
  /** An API call with the admin key (seeding runs, checking effects). */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Opens the console at `hash` signed in as `role` (when the server has sessions). */
  open(page: Page, role: ConsoleRole, hash?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  buildConsole();
  let backend = await startBackend({ auth: true });
  const probe = await fetch(`${backend.url}/api/v1/session`, {
    headers: { authorization: `Bearer ${backend.tokens.reader}` },
  });
  const sessions = probe.status !== 404;
  if (!sessions) {
    // A server without console sessions: the console runs against it without keys.
    await backend.stop();
    backend = await startBackend({ auth: false });
  }
  const front = await openFront(backend.url);
  console.log(
    `console at ${front.url}: ${front.served ? 'served by the server' : 'served by the test front'}, ${sessions ? 'signed in with keys' : 'no keys'}`,
  );
  const browser = await launchBrowser();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${backend.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${backend.tokens.admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    backend,
    front,
    browser,
    sessions,
    call,
    open: async (page, role, hash = '') => {
      await page.goto(`${front.url}/${hash}`);
      if (sessions) {
        await page.getByLabel('API key').fill(backend.tokens[role]);
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    },
    stop: async () => {
      await browser.close();
      await front.close();
      await backend.stop();
    },
  };
}

/** Starts a run of `workflowType` with the admin key. */
export async function startRun(
  h: Harness,
  workflowType: string,
  workflowId: string,
  args: unknown[] = [],
): Promise<{ workflowId: string; runId: string }> {
  return h.call('POST', '/namespaces/default/workflows', { workflowType, workflowId, args });
}

/** Waits until the run's description satisfies `check`. */
export async function waitForRun(
  h: Harness,
  workflowId: string,
  check: (d: Record<string, unknown>) => boolean,
  what: string,
): Promise<void> {
  await waitFor(
    async () =>
      check(await h.call('GET', `/namespaces/default/workflows/${encodeURIComponent(workflowId)}`)),
    { what },
  );
}
