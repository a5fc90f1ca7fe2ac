// Signing in to the console with an API key, what each role sees, signing out, and a revoked
// key ending the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { startBackend } from './support/aion.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, startRun, type Harness } from './support/harness.js';

let h: Harness;
let run: { workflowId: string; runId: string };

beforeAll(async () => {
  h = await startHarness();
  run = await startRun(h, 'order', 'order-s', ['order-s', 1]);
});

afterAll(async () => {
  await h?.stop();
});

describe('sign-in and roles', () => {
  it('signs in with a key, refuses a wrong one, and signs out', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await page.goto(`${h.front.url}/`);
    const key = page.getByLabel('API key');
    await key.waitFor();
    await screenshot(page, 'sign-in');
    expect(await seriousViolations(page)).toEqual([]);

    await key.fill('aion_nope_nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.error-code').textContent()).toBe('unauthenticated');

    await key.fill(h.backend.tokens.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('operator');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'aion_session')?.httpOnly).toBe(true);
    // The session survives a reload (the cookie, not the page, holds it).
    await page.reload();
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('operator');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    // Failed calls the page shows are not script errors; the wrong key's 401 is one of them.
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
    await close();
  });

  it('shows a reader no button that changes anything', async () => {
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'reader', `#/namespaces/default/workflows/${run.workflowId}/${run.runId}`);
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await expect.poll(() => toolbar.getByRole('button').allTextContents()).toEqual(['Query…']);
    expect(await page.getByRole('link', { name: 'Start like this one' }).count()).toBe(0);
    await screenshot(page, 'reader-run');

    await page.getByRole('link', { name: 'Workflows' }).first().click();
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.getByRole('link', { name: 'Start workflow' }).count()).toBe(0);
    for (const [hash, forbidden] of [
      ['#/namespaces/default/batches', 'Preview (dry run)'],
      ['#/namespaces/default/packages', 'Deploy…'],
      ['#/namespaces', 'Create…'],
    ] as const) {
      await page.goto(`${h.front.url}/${hash}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.getByRole('button', { name: forbidden }).count()).toBe(0);
    }
    await page.goto(`${h.front.url}/#/namespaces/default/schedules`);
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    expect(await page.getByRole('button', { name: /Pause|Trigger|Delete/ }).count()).toBe(0);
    await close();
  });

  it('goes back to sign-in when the key is revoked', async () => {
    const created = await h.call<{ token: string; key: { id: string } }>('POST', '/keys', {
      name: 'short-lived',
      role: 'reader',
    });
    const { page, close } = await newPage(h.browser);
    await page.goto(`${h.front.url}/`);
    await page.getByLabel('API key').fill(created.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('workflow-row').first().waitFor();
    await h.call('DELETE', `/keys/${created.key.id}`);
    // A run starting makes the list reload; that call answers 401 and the console asks for a key.
    await startRun(h, 'ship', 'after-revoke', ['x']);
    await waitFor(async () => (await page.getByLabel('API key').count()) === 1, {
      what: 'the sign-in page after the key was revoked',
    });
    await close();
  });

  it('offers a key limited to namespaces only those', async () => {
    await h.call('POST', '/namespaces', { name: 'billing' });
    const created = await h.call<{ token: string }>('POST', '/keys', {
      name: 'billing-reader',
      role: 'reader',
      namespaces: ['billing'],
    });
    const { page, close } = await newPage(h.browser);
    await page.goto(`${h.front.url}/`);
    await page.getByLabel('API key').fill(created.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Namespace').inputValue()).toBe('billing');
    await expect
      .poll(() => page.getByLabel('Namespace').locator('option').allTextContents())
      .toEqual(['billing']);
    await expect.poll(() => page.getByTestId('total-count').textContent()).toBe('0 in all');
    await close();
  });
});

describe('without keys (--no-auth)', () => {
  it('opens without sign-in, as an admin', async () => {
    const open = await startBackend({ auth: false });
    try {
      const { page, close } = await newPage(h.browser);
      await page.goto(`${open.url}/`);
      await expect.poll(() => page.getByTestId('role').textContent()).toBe('admin');
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Start workflow' }).count()).toBe(1);
      await close();
    } finally {
      await open.stop();
    }
  });
});
