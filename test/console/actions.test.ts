// Every action on a run, through its confirmation dialog (which shows the exact API call),
// checked against the server's state afterwards.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, startRun, waitForRun, type Harness } from './support/harness.js';

let h: Harness;

const runHash = (r: { workflowId: string; runId: string }): string =>
  `#/namespaces/default/workflows/${r.workflowId}/${r.runId}`;

async function awaitingApproval(workflowId: string): Promise<void> {
  await waitFor(
    async () =>
      (
        await h.call<{ result: string }>(
          'POST',
          `/namespaces/default/workflows/${workflowId}/query`,
          {
            name: 'state',
          },
        )
      ).result.startsWith('awaiting approval'),
    { what: `${workflowId} to wait for approval` },
  );
}

/** Opens the action's dialog, fills its fields, checks the call shown, confirms. */
async function act(
  page: Page,
  action: string,
  fields: Record<string, string> = {},
  expectCall?: string,
): Promise<void> {
  await page
    .getByRole('toolbar', { name: 'Actions' })
    .getByRole('button', { name: `${action}…` })
    .click();
  const dialog = page.getByRole('dialog');
  for (const [label, value] of Object.entries(fields)) {
    const field = dialog.getByLabel(label);
    if ((await field.getAttribute('data-kind')) === 'select') await field.selectOption(value);
    else await field.fill(value);
  }
  if (expectCall)
    await expect.poll(() => dialog.getByTestId('api-call').textContent()).toContain(expectCall);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await waitFor(
    async () => (await dialog.count()) === 0 || (await dialog.locator('.error').count()) > 0,
    {
      what: `${action} to finish`,
    },
  );
  if ((await dialog.count()) > 0)
    throw new Error(`${action}: ${await dialog.locator('.error').textContent()}`);
}

const status = async (workflowId: string): Promise<string> =>
  (await h.call<{ status: string }>('GET', `/namespaces/default/workflows/${workflowId}`)).status;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('actions', () => {
  it('query, update (arguments checked as JSON), signal', async () => {
    const run = await startRun(h, 'order', 'order-a', ['order-a', 5]);
    await awaitingApproval('order-a');
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', runHash(run));

    await act(page, 'Query', { 'Query name (required)': 'state' });
    await expect
      .poll(() => page.getByTestId('action-answer').textContent())
      .toContain('awaiting approval');

    // A malformed argument keeps Confirm disabled and says why.
    await page.getByRole('button', { name: 'Update…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Update name (required)').fill('setNote');
    await dialog.getByLabel('Arguments (JSON array)').fill('["rush"');
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('not valid JSON');
    expect(await dialog.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Arguments (JSON array)').fill('["rush"]');
    const shown = await dialog.getByTestId('api-call').textContent();
    expect(shown).toContain('POST /api/v1/namespaces/default/workflows/order-a/update');
    expect(shown).toContain('"setNote"');
    expect(shown).toContain('"rush"');
    await screenshot(page, 'action-dialog');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByTestId('action-answer').textContent()).toContain('rush');

    // The history follows the run over its stream: the signal shows up without a reload.
    await page.getByRole('tab', { name: 'History' }).click();
    await expect.poll(() => page.getByTestId('history-count').textContent()).toContain('live');
    await act(
      page,
      'Signal',
      { 'Signal name (required)': 'approve', 'Arguments (JSON array)': '["ops"]' },
      '"approve"',
    );
    await waitForRun(h, 'order-a', (d) => d.status === 'COMPLETED', 'order-a to complete');
    await expect
      .poll(() => page.getByTestId('event-row').filter({ hasText: 'SignalReceived' }).count())
      .toBe(1);
    // The page follows the run: its status and the new events show without a reload.
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('Completed');
    expect(errors).toEqual([]);
    await close();
  });

  it('pause, resume, cancel, terminate', async () => {
    const a = await startRun(h, 'order', 'order-b', ['order-b', 1]);
    const b = await startRun(h, 'order', 'order-c', ['order-c', 1]);
    await awaitingApproval('order-b');
    await awaitingApproval('order-c');
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', runHash(a));
    await act(page, 'Pause', { Reason: 'checking' }, '"reason": "checking"');
    await waitFor(async () => (await status('order-b')) === 'PAUSED', { what: 'order-b paused' });
    await act(page, 'Resume');
    await waitFor(async () => (await status('order-b')) === 'RUNNING', { what: 'order-b resumed' });
    await act(page, 'Cancel', { Reason: 'customer left' });
    await waitFor(async () => (await status('order-b')) === 'CANCELLED', {
      what: 'order-b cancelled',
    });

    await page.goto(`${h.front.url}/${runHash(b)}`);
    await act(page, 'Terminate', { Reason: 'duplicate' }, '/workflows/order-c/terminate');
    await waitFor(async () => (await status('order-c')) === 'TERMINATED', {
      what: 'order-c terminated',
    });
    await close();
  });

  it('reset to a chosen task and reopen open new runs; start like this one', async () => {
    const run = await startRun(h, 'order', 'order-d', ['order-d', 3]);
    await awaitingApproval('order-d');
    await h.call('POST', '/namespaces/default/workflows/order-d/cancel', { reason: 'test' });
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', runHash(run));
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('Canceled');

    await act(page, 'Reopen', { Reason: 'cancelled by mistake' });
    await waitFor(() => !page.url().includes(run.runId), { what: 'the reopened run to open' });
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('Running');
    await awaitingApproval('order-d');

    const before = page.url();
    await act(
      page,
      'Reset',
      { 'Reset to the end of workflow task (required)': 'firstWorkflowTask' },
      '"to": "firstWorkflowTask"',
    );
    await waitFor(() => page.url() !== before, { what: 'the reset run to open' });
    await page.getByRole('tab', { name: 'Relationships' }).click();
    await expect.poll(() => page.getByTestId('run-chain').locator('li').count()).toBe(3);

    await page.getByRole('link', { name: 'Start like this one' }).click();
    await expect
      .poll(() => page.getByLabel('Arguments (JSON array)').inputValue())
      .toContain('"order-d"');
    expect(await page.getByLabel('Workflow type (required)').inputValue()).toBe('order');
    await page.getByLabel('Workflow id (empty: a new id)').fill('order-e');
    await screenshot(page, 'start-form');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start…' }).click();
    await expect
      .poll(() => page.getByTestId('api-call').textContent())
      .toContain('"workflowId": "order-e"');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(() => page.url().includes('/workflows/order-e/'), {
      what: 'the new run to open',
    });
    await awaitingApproval('order-e');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the error code and message of a refused call', async () => {
    const run = await startRun(h, 'order', 'order-f', ['order-f', 3]);
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', runHash(run));
    await page.getByRole('button', { name: 'Query…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Query name (required)').fill('nope');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => dialog.locator('.error-code').textContent()).toBe('unknown_query');
    await close();
  });

  it('marks a stuck run and retries it', async () => {
    const run = await startRun(h, 'buggy', 'buggy-1', [{}]);
    await waitForRun(h, 'buggy-1', (d) => d.stuck !== undefined, 'buggy-1 to be parked');
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/workflows?prefix=buggy-');
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('stuck');
    await page.getByTestId('workflow-row').first().click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Summary' }).textContent())
      .toContain('stuck since');
    await act(page, 'Retry', {}, `/workflows/buggy-1/retry`);
    expect(page.url()).toContain(run.runId);
    expect(errors).toEqual([]);
    await close();
  });
});
