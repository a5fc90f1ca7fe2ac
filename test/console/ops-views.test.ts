// The operations views in a browser: task queues, batches (with a dry run), packages (with a
// replay check before deploying), schedules, namespaces and the cluster.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage } from '../../src/package/index.js';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, startRun, type Harness } from './support/harness.js';

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'aion-console-pkg-'));
  for (const id of ['bulk-1', 'bulk-2', 'bulk-3']) await startRun(h, 'order', id, [id, 1]);
  await waitFor(
    async () =>
      (
        await h.call<{ count: number }>(
          'GET',
          `/namespaces/default/workflows-count?query=${encodeURIComponent("WorkflowType = 'ship'")}`,
        )
      ).count === 3,
    { what: 'the orders to reach their children' },
  );
});

afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const clean = async (page: Page, name: string): Promise<void> => {
  await screenshot(page, name);
  expect(await seriousViolations(page)).toEqual([]);
};

describe('operations views', () => {
  it('task queues, namespaces and the cluster', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'admin', '#/namespaces/default/task-queues');
    const queue = page.getByTestId('task-queue').first();
    await expect.poll(() => queue.textContent()).toContain('default');
    expect(await queue.textContent()).toContain('charge');
    await clean(page, 'task-queues');

    await page.getByRole('link', { name: 'Namespaces' }).click();
    await page.getByLabel('Name (required)').fill('billing');
    await page.getByLabel('Retention (e.g. 30 days; empty: keep closed runs)').fill('30 days');
    await page.getByRole('button', { name: 'Create…' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'billing' }).count()).toBe(1);
    await clean(page, 'namespaces');
    await page.getByRole('link', { name: 'billing' }).click();
    await expect.poll(() => page.getByLabel('Namespace').inputValue()).toBe('billing');

    await page.getByRole('link', { name: 'Cluster' }).click();
    await expect.poll(() => page.getByTestId('cluster-summary').textContent()).toContain('sqlite');
    await clean(page, 'cluster');
    expect(errors).toEqual([]);
    await close();
  });

  it('previews a batch with a dry run, then runs it', async () => {
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/batches');
    await page
      .getByLabel('Runs to change (query, required)')
      .fill("WorkflowType = 'order' AND ExecutionStatus = 'Running'");
    await page.getByLabel('Reason').fill('bulk cancel');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect
      .poll(() => page.getByTestId('dry-run').textContent())
      .toContain('Would change 3 runs');
    expect(await page.getByTestId('dry-run').getByRole('link').count()).toBe(3);
    await clean(page, 'batches');
    await page.getByRole('button', { name: 'Start…' }).click();
    await expect
      .poll(() => page.getByTestId('api-call').textContent())
      .toContain('"type": "cancel"');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.getByTestId('batch-jobs').textContent(), { timeout: 30_000 })
      .toContain('completed');
    const cancelled = await h.call<{ count: number }>(
      'GET',
      `/namespaces/default/workflows-count?query=${encodeURIComponent("WorkflowType = 'order' AND ExecutionStatus = 'Canceled'")}`,
    );
    expect(cancelled.count).toBe(3);
    await close();
  });

  it('checks a package against open runs before deploying it', async () => {
    await startRun(h, 'order', 'pkg-1', ['pkg-1', 1]);
    const source = path.join(dir, 'workflows.ts');
    // The order workflow changed incompatibly: it no longer charges first.
    writeFileSync(
      source,
      `import { condition, proxyActivities } from 'aion/workflow';
const { echo } = proxyActivities<{ echo(s: string): Promise<string> }>({ startToCloseTimeout: '10s' });
export async function order(id: string, _amount: number): Promise<string> {
  await echo(id);
  await condition(() => false);
  return id;
}
`,
    );
    const built = await buildPackage({ workflowsPath: source });
    const file = path.join(dir, built.fileName);
    writeFileSync(file, built.archive);
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'admin', '#/namespaces/default/packages');
    await expect.poll(() => page.getByTestId('packages').locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Package file (.aion, from aion build)').setInputFiles(file);
    await page.getByRole('button', { name: 'Check against open runs' }).click();
    const check = page.getByTestId('package-check');
    await expect.poll(() => check.textContent(), { timeout: 60_000 }).toContain('0 passed');
    expect(await check.textContent()).toContain('pkg-1');
    await clean(page, 'packages');
    await page.getByRole('button', { name: 'Deploy…' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByTestId('packages').locator('tbody tr').count()).toBe(2);
    expect(errors).toEqual([]);
    await close();
  });

  it('lists schedules and pauses one', async () => {
    await h.call('POST', '/namespaces/default/schedules', {
      scheduleId: 'nightly-ship',
      spec: { cronExpressions: ['0 3 * * *'] },
      action: { workflowType: 'ship', args: ['nightly'] },
    });
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/schedules');
    const card = page.getByTestId('schedule');
    await expect.poll(() => card.textContent()).toContain('nightly-ship');
    await clean(page, 'schedules');
    await card.getByRole('button', { name: 'Pause…' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(
      async () =>
        (
          await h.call<{ state: { paused: boolean } }>(
            'GET',
            '/namespaces/default/schedules/nightly-ship',
          )
        ).state.paused,
      { what: 'the schedule to pause' },
    );
    await expect.poll(() => card.textContent()).toContain('paused');
    await close();
  });

  it("shows a schedule's next fires in its zone and UTC, and backfills a range", async () => {
    await h.call('POST', '/namespaces/default/schedules', {
      scheduleId: 'hourly-ship',
      spec: { cronExpressions: ['0 * * * *'], timezone: 'America/New_York' },
      action: { workflowType: 'ship', args: ['backfilled'] },
      policies: { overlap: 'ALLOW_ALL' },
    });
    const described = await h.call<{ info: { nextActionTimes: string[] } }>(
      'GET',
      '/namespaces/default/schedules/hourly-ship',
    );
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/schedules');
    const card = page.getByTestId('schedule').filter({ hasText: 'hourly-ship' });
    const fires = card.getByRole('table', { name: 'Next fire times of hourly-ship' });
    await expect.poll(() => fires.getByTestId('next-fire').count()).toBe(5);
    expect(await fires.textContent()).toContain('Next fires (America/New_York)');
    const first = described.info.nextActionTimes[0]!;
    const newYork = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/New_York',
      dateStyle: 'short',
      timeStyle: 'medium',
    }).format(new Date(first));
    const cells = fires.getByTestId('next-fire').first().getByRole('cell');
    expect(await cells.nth(0).textContent()).toBe(newYork);
    expect(await cells.nth(1).textContent()).toBe(first.replace('T', ' ').replace('.000Z', 'Z'));

    await card.getByText('Backfill', { exact: true }).click();
    await card.getByRole('radio', { name: 'UTC', exact: true }).check();
    await card.getByLabel('Backfill start (UTC)').fill('2026-01-01T00:00:00');
    await card.getByLabel('Backfill end (UTC)').fill('2026-01-01T02:30:00');
    await card.getByLabel('Overlap policy').selectOption('ALLOW_ALL');
    await card.getByRole('button', { name: 'Backfill…' }).click();
    const call = await page.getByTestId('api-call').textContent();
    expect(call).toContain('POST /api/v1/namespaces/default/schedules/hourly-ship/backfill');
    expect(call).toContain('"start": "2026-01-01T00:00:00.000Z"');
    expect(call).toContain('"end": "2026-01-01T02:30:00.000Z"');
    expect(call).toContain('"overlap": "ALLOW_ALL"');
    await page.getByRole('button', { name: 'Confirm' }).click();
    // Fires at 00:00, 01:00 and 02:00 UTC, each a run whose id starts with the schedule id.
    await waitFor(
      async () =>
        (
          await h.call<{ count: number }>(
            'GET',
            `/namespaces/default/workflows-count?query=${encodeURIComponent("WorkflowId >= 'hourly-ship-' AND WorkflowId < 'hourly-ship.'")}`,
          )
        ).count === 3,
      { what: 'the three backfilled runs' },
    );
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });
});
