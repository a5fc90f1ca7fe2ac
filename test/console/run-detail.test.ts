// A run's page in a browser: summary, history (compact and JSON), timeline, pending work,
// call stack, relationships; each checked for accessibility and photographed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, startRun, waitForRun, type Harness } from './support/harness.js';

let h: Harness;
let order: { workflowId: string; runId: string };
let stuck: { workflowId: string; runId: string };

const runHash = (r: { workflowId: string; runId: string }, tab = 'summary'): string =>
  `#/namespaces/default/workflows/${r.workflowId}/${r.runId}?tab=${tab}`;

beforeAll(async () => {
  h = await startHarness();
  order = await startRun(h, 'order', 'order-7', ['order-7', 99]);
  stuck = await startRun(h, 'stuckPayment', 'payment-3', ['p-3']);
  await waitFor(
    async () =>
      (
        await h.call<{ result: string }>('POST', '/namespaces/default/workflows/order-7/query', {
          name: 'state',
        })
      ).result === 'awaiting approval',
    { what: 'order-7 to wait for approval' },
  );
  await waitForRun(
    h,
    'payment-3',
    (d) => ((d.pendingActivities as { lastFailure?: unknown }[])[0]?.lastFailure ?? null) !== null,
    'payment-3 to fail an attempt',
  );
});

afterAll(async () => {
  await h?.stop();
});

describe('run detail', () => {
  it('shows the summary, the timeline and the history of a run', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', runHash(order));
    const summary = page.getByRole('region', { name: 'Summary' });
    await expect.poll(() => summary.textContent()).toContain('order');
    expect(await summary.textContent()).toContain(order.runId);
    expect(await summary.textContent()).toContain('order-7-ship');
    expect(await summary.textContent()).toContain('"order-7"');
    await screenshot(page, 'run-summary');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByTestId('timeline').waitFor();
    expect(await page.getByTestId('lane-activity').count()).toBe(1);
    expect(await page.getByTestId('lane-activity').textContent()).toContain('charge ×2');
    expect(await page.getByTestId('lane-timer').count()).toBe(1);
    expect(await page.getByTestId('lane-child').count()).toBe(1);
    await screenshot(page, 'run-timeline');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'History' }).click();
    await expect.poll(() => page.getByTestId('event-row').count()).toBeGreaterThan(8);
    await page.getByTestId('event-row').filter({ hasText: 'ActivityCompleted' }).click();
    await expect.poll(() => page.locator('.event-detail').textContent()).toContain('charged 99');
    expect(page.url()).toContain('seq=');
    // Keyboard: the list moves its selection with the arrows.
    await page.getByRole('listbox', { name: 'Events' }).focus();
    await page.keyboard.press('Home');
    await expect
      .poll(() => page.locator('.event-detail h3').textContent())
      .toBe('#1 WorkflowStarted');
    await screenshot(page, 'run-history');
    expect(await seriousViolations(page)).toEqual([]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`order-7-${order.runId}.history.json`);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      format: string;
      events: { seq: number }[];
    };
    expect(exported.format).toBe('aion-history');
    expect(exported.events[0]?.seq).toBe(1);
    await page.getByRole('button', { name: 'Full JSON' }).click();
    await expect
      .poll(() => page.getByLabel('History as JSON').textContent())
      .toContain('"WorkflowStarted"');

    await page.getByRole('tab', { name: 'Call stack' }).click();
    await expect.poll(() => page.getByTestId('call-stack').textContent()).toContain('condition');

    await page.getByRole('tab', { name: 'Relationships' }).click();
    await expect.poll(() => page.getByTestId('run-chain').textContent()).toContain('(this run)');
    await page.getByRole('link', { name: 'order-7-ship' }).click();
    await waitFor(() => page.url().includes('/workflows/order-7-ship/'), {
      what: 'the child to open',
    });
    await expect
      .poll(() => page.getByRole('region', { name: 'Summary' }).textContent())
      .toContain('Parent');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows pending activities with their attempt, last failure and next attempt', async () => {
    const { page, errors, close } = await newPage(h.browser, { colorScheme: 'dark' });
    await h.open(page, 'operator', runHash(stuck, 'pending'));
    const table = page.getByTestId('pending-activities');
    await expect.poll(() => table.textContent()).toContain('downstream unavailable');
    expect(await table.textContent()).toContain('flaky');
    expect(await table.textContent()).toContain('backing off');
    await screenshot(page, 'run-pending-dark');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByTestId('timeline').waitFor();
    expect(await page.locator('.timeline svg .backoff').count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('reads a long history in pages and keeps the list virtualised', async () => {
    const long = await startRun(h, 'chatty', 'chatty-1', [3000]);
    await waitForRun(h, 'chatty-1', (d) => d.status === 'COMPLETED', 'chatty-1 to complete');
    const { page, errors, close } = await newPage(h.browser);
    const pages: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/history?'))
        pages.push(new URL(r.url()).searchParams.get('fromSeq') ?? '');
    });
    await h.open(page, 'reader', runHash(long, 'history'));
    const started = Date.now();
    await expect
      .poll(() => page.getByTestId('history-count').textContent(), { timeout: 30_000 })
      .toContain('3002 events');
    console.log(`history of 3002 events read and listed in ${Date.now() - started} ms`);
    expect(pages).toEqual(['1', '1001', '2001', '3001']);
    expect(await page.getByTestId('event-row').count()).toBeLessThan(100);
    await page.getByRole('listbox', { name: 'Events' }).focus();
    await page.keyboard.press('End');
    await expect
      .poll(() => page.locator('.event-detail h3').textContent())
      .toBe('#3002 WorkflowCompleted');
    expect(errors).toEqual([]);
    await close();
  });
});
