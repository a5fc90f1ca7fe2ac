// One console under test: the server (with keys when the server offers console sessions),
// the page's origin, and the browser.
import type { Browser, Page } from 'playwright-core';
import type { ServerConfig } from '../../../src/server/index.js';
import { waitFor } from '../../support/wait.js';
import { startBackend, type ConsoleBackend } from './aion.js';
import { launchBrowser } from './browser.js';
import { buildConsole } from './front.js';

export type ConsoleRole = 'admin' | 'operator' | 'reader';

export interface Harness {
  readonly backend: ConsoleBackend;
  /** Where the browser opens the console: the server itself. */
  readonly front: { readonly url: string };
  readonly browser: Browser;
  /** An API call with the admin key (seeding runs, checking effects). */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Opens the console at `hash`, signed in with the key of `role`. */
  open(page: Page, role: ConsoleRole, hash?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(config?: Partial<ServerConfig>): Promise<Harness> {
  // Built before the server starts: it reads the build once, at start.
  buildConsole();
  const backend = await startBackend({ auth: true, ...(config ? { config } : {}) });
  const front = { url: backend.url };
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
    call,
    open: async (page, role, hash = '') => {
      await page.goto(`${front.url}/${hash}`);
      await page.getByLabel('API key').fill(backend.tokens[role]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    },
    stop: async () => {
      await browser.close();
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
