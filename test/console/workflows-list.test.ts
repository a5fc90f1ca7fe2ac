// The workflows list in a browser: runs, counts by status, filter chips, query completion,
// paging, keyboard, accessibility; and what the console costs to load.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { consoleDir } from './support/front.js';
import { startHarness, startRun, waitForRun, type Harness } from './support/harness.js';

let h: Harness;
const suggestions = (page: Page): Locator =>
  page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option');

/** Opens the query box, types the start of `ExecutionStatus` and takes its completion. */
async function takeStatusCompletion(page: Page): Promise<Locator> {
  const box = page.getByRole('combobox', { name: 'Query' });
  await box.click();
  await box.pressSequentially('Execu');
  await expect.poll(() => suggestions(page).first().textContent()).toContain('ExecutionStatus');
  await box.press('Enter');
  return box;
}

beforeAll(async () => {
  h = await startHarness();
  await startRun(h, 'failing', 'refund-1', ['no stock']);
  // order-1 runs a child, order-1-ship: 133 runs in all.
  await startRun(h, 'order', 'order-1', ['order-1', 42]);
  for (let i = 0; i < 130; i++)
    await startRun(h, 'ship', `parcel-${String(i).padStart(3, '0')}`, [`p${i}`]);
  await waitFor(
    async () =>
      (
        await h.call<{ count: number }>(
          'GET',
          `/namespaces/default/workflows-count?query=${encodeURIComponent("ExecutionStatus = 'Completed'")}`,
        )
      ).count >= 130,
    { what: 'the parcels to complete' },
  );
  await waitForRun(h, 'refund-1', (d) => d.status === 'FAILED', 'refund-1 to fail');
});

afterAll(async () => {
  await h?.stop();
});

describe('workflows list', () => {
  it('lists runs with counts by status, and filters by status chip', async () => {
    const { page, errors, close } = await newPage(h.browser);
    const started = Date.now();
    await h.open(page, 'operator');
    await page.getByTestId('workflow-row').first().waitFor();
    const firstLoadMs = Date.now() - started;
    const nav = await page.evaluate<{ domContentLoaded: number; load: number }>(
      "(({ domContentLoadedEventEnd, loadEventEnd }) => ({ domContentLoaded: domContentLoadedEventEnd, load: loadEventEnd }))(performance.getEntriesByType('navigation')[0])",
    );
    const index = readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
    const assets = [...index.matchAll(/\/(assets\/app-[\w-]+\.(?:js|css))/g)].map((m) => m[1]!);
    const gzip = assets.reduce(
      (n, a) => n + gzipSync(readFileSync(path.join(consoleDir, a))).length,
      0,
    );
    console.log(
      `console transfer size (gzip js+css): ${(gzip / 1024).toFixed(1)} KiB; first load (page, sign-in, first rows): ${firstLoadMs} ms (DOMContentLoaded ${Math.round(nav.domContentLoaded)} ms, load ${Math.round(nav.load)} ms)`,
    );
    expect(gzip).toBeLessThan(100 * 1024);

    await expect.poll(() => page.getByTestId('total-count').textContent()).toBe('133 in all');
    await expect.poll(() => page.locator('[data-status="FAILED"] .count').textContent()).toBe('1');
    await expect.poll(() => page.locator('[data-status="RUNNING"] .count').textContent()).toBe('1');
    await screenshot(page, 'workflows');
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('[data-status="FAILED"]').click();
    await expect
      .poll(() => page.getByTestId('effective-query').textContent())
      .toBe("ExecutionStatus = 'Failed'");
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('refund-1');
    expect(page.url()).toContain('status=FAILED');
    // Back returns to the unfiltered list.
    await page.goBack();
    await expect
      .poll(() => page.getByTestId('effective-query').textContent())
      .toContain('all runs');
    expect(errors).toEqual([]);
    await close();
  });

  it('keeps what is typed right after a completion was taken, before the next frame', async () => {
    const { page, errors, close } = await newPage(h.browser);
    // A busy machine: frames come late, after the next keys have been typed.
    await page.addInitScript(`
      window.lateFrames = 0;
      window.requestAnimationFrame = (cb) => {
        window.lateFrames++;
        return setTimeout(() => { window.lateFrames--; cb(performance.now()); }, 500);
      };`);
    await h.open(page, 'reader');
    const box = await takeStatusCompletion(page);
    await box.pressSequentially('= ');
    // The frame of the completion comes now, between two keys.
    await expect.poll(() => page.evaluate<number>('window.lateFrames')).toBe(0);
    await box.pressSequentially("'Ru");
    expect(await box.inputValue()).toBe("ExecutionStatus = 'Ru");
    await expect.poll(() => suggestions(page).first().textContent()).toContain('Running');
    expect(errors).toEqual([]);
    await close();
  });

  it('completes attribute names and values in the query box', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'reader');
    const box = await takeStatusCompletion(page);
    await box.pressSequentially("= 'Ru");
    await expect.poll(() => suggestions(page).first().textContent()).toContain('Running');
    await box.press('Tab');
    expect(await box.inputValue()).toBe("ExecutionStatus = 'Running' ");
    await box.press('Enter');
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('order-1');
    await box.fill('WorkflowType = ');
    await box.press('End');
    await box.pressSequentially('sh');
    await expect.poll(() => suggestions(page).allTextContents()).toEqual(['ship value']);
    // A query the server cannot parse: its code, message and position.
    await box.fill("WorkflowType = 'x' ANDD StartTime > 5");
    await box.press('Escape');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('.error-code').first().textContent())
      .toBe('invalid_argument');
    expect(await page.locator('.error-message').first().textContent()).toContain('position 19');
    expect(errors).toEqual([]);
    await close();
  });

  it('pages with a cursor that Back returns to, and searches by id prefix', async () => {
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'reader', '#/namespaces/default/workflows?query=ORDER%20BY%20WorkflowId');
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('order-1');
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('parcel-098');
    expect(page.url()).toContain('page=2');
    await page.goBack();
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('order-1');
    await page.goForward();
    await expect
      .poll(() => page.getByTestId('workflow-row').first().textContent())
      .toContain('parcel-098');

    await page.goto(`${h.front.url}/#/namespaces/default/workflows`);
    await page.getByLabel('Workflow id starts with').fill('parcel-12');
    await page.getByLabel('Workflow id starts with').press('Enter');
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(10);
    // Keyboard: the rows are focusable and Enter opens one.
    await page.getByTestId('workflow-row').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitFor(() => page.url().includes('/workflows/parcel-12'), { what: 'a run to open' });
    await close();
  });

  it('shows search attributes as columns, in the dark theme too', async () => {
    await h.call('POST', '/namespaces/default/search-attributes', {
      searchAttributes: { CustomerId: 'Keyword' },
    });
    await h.call('POST', '/namespaces/default/workflows', {
      workflowType: 'failing',
      workflowId: 'sa-1',
      args: ['x'],
      searchAttributes: { CustomerId: 'c-42' },
    });
    const { page, errors, close } = await newPage(h.browser, { colorScheme: 'dark' });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(decodeURIComponent(r.url())));
    await h.open(page, 'reader', '#/namespaces/default/workflows?prefix=sa-');
    await expect.poll(() => page.getByRole('columnheader', { name: 'CustomerId' }).count()).toBe(1);
    // The value as written (not its typed JSON), from the list answer itself: no run is
    // described and no separate query asks which runs are stuck.
    await expect
      .poll(() => page.getByTestId('workflow-row').first().getByRole('cell').allTextContents())
      .toContain('c-42');
    expect(requests.filter((u) => /\/workflows\/sa-|Stuck/.test(u))).toEqual([]);
    // Live: a run started meanwhile shows up without a reload (the run feed reports it).
    await expect.poll(() => page.getByTestId('live-mode').textContent()).toBe('(as runs change)');
    await startRun(h, 'failing', 'sa-2', ['y']);
    await expect.poll(() => page.getByTestId('workflow-row').count(), { timeout: 20_000 }).toBe(2);
    await screenshot(page, 'workflows-dark');
    expect(await seriousViolations(page)).toEqual([]);
    // The theme button overrides the system's choice, and the choice is kept.
    await page.getByRole('button', { name: /Change theme/ }).click();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe(
      'light',
    );
    await page.reload();
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe(
      'light',
    );
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });
});
