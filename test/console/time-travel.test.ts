// Time travel in a browser: a run replayed to an earlier event shows its call stack and its
// queries as they were then, stepping task by task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, startRun, type Harness } from './support/harness.js';

let h: Harness;
let run: { workflowId: string; runId: string };

beforeAll(async () => {
  h = await startHarness();
  run = await startRun(h, 'order', 'order-tt', ['order-tt', 12]);
  await waitFor(
    async () =>
      (
        await h.call<{ result: string }>('POST', '/namespaces/default/workflows/order-tt/query', {
          name: 'state',
        })
      ).result === 'awaiting approval',
    { what: 'order-tt to wait for approval' },
  );
});

afterAll(async () => {
  await h?.stop();
});

describe('time travel', () => {
  it('shows the stack and queries as of a chosen event, and steps over task boundaries', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await h.open(
      page,
      'reader',
      `#/namespaces/default/workflows/${run.workflowId}/${run.runId}?tab=time-travel`,
    );
    const at = page.getByLabel('At event');
    await expect.poll(() => at.locator('option').count()).toBeGreaterThan(8);
    await at.selectOption({ label: '#2 ActivityScheduled' });
    await page.getByLabel('Queries').fill('state');
    await page.getByRole('button', { name: 'Travel' }).click();
    const answer = page.getByTestId('time-travel');
    await expect.poll(() => answer.textContent()).toContain('charging');
    expect(await page.getByTestId('tt-stack').textContent()).toContain('charge');
    expect(await page.getByTestId('tt-boundary').textContent()).toContain('task 1 of');
    await screenshot(page, 'time-travel');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Next task →' }).click();
    await expect.poll(() => page.getByTestId('tt-boundary').textContent()).toContain('task 2 of');
    await expect.poll(() => answer.textContent()).toContain('waiting');
    await page.getByRole('button', { name: '← Previous task' }).click();
    await expect.poll(() => page.getByTestId('tt-boundary').textContent()).toContain('task 1 of');

    // From the history: an event's seq carries over to time travel.
    await page.getByRole('tab', { name: 'History' }).click();
    const fired = page.getByTestId('event-row').filter({ hasText: 'TimerFired' });
    const seq = await fired.locator('.seq').textContent();
    await fired.click();
    await page.getByRole('tab', { name: 'Time travel' }).click();
    await expect.poll(() => at.inputValue()).toBe(seq);

    // The history follows the open run over its stream (no polling while it is connected).
    await page.getByRole('tab', { name: 'History' }).click();
    await expect.poll(() => page.getByTestId('history-count').textContent()).toContain('live');
    await h.call('POST', '/namespaces/default/workflows/order-tt/signal', {
      name: 'approve',
      args: ['ops'],
    });
    await expect
      .poll(() => page.locator('.event-row .etype', { hasText: /^WorkflowCompleted$/ }).count())
      .toBe(1);
    expect(errors).toEqual([]);
    await close();
  });
});
