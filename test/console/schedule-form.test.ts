// Writing schedules in a browser: create one through the form (the next fires previewed as the
// spec is typed, the exact call confirmed), see the server's refusal beside the form, edit it,
// backfill in the schedule's zone; a reader sees no create or edit.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { newPage, screenshot, seriousViolations } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

interface Described {
  spec: { cronExpressions?: string[]; timezone?: string };
  action: { workflowType: string; args?: unknown[]; taskQueue?: string };
  policies: { overlap: string; catchupWindow: number; pauseOnFailure: boolean };
  state: { paused: boolean; note?: string };
  info: { nextActionTimes: string[] };
}

const describeSchedule = (id: string): Promise<Described> =>
  h.call<Described>('GET', `/namespaces/default/schedules/${id}`);

/** The hour:minute a zone's clock shows at `iso`. */
const clock = (iso: string, zone: string): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

async function fillNew(page: Page, id: string, cron: string): Promise<void> {
  const form = page.getByRole('region', { name: 'New schedule' });
  await form.getByLabel('Schedule id (required)').fill(id);
  await form.getByLabel(/^Cron expressions/).fill(cron);
  await form.getByLabel(/^Time zone/).fill('Europe/Berlin');
  await form.getByLabel('Workflow type (required)').fill('ship');
  await form.getByLabel('Arguments (JSON array)').fill('["from-the-form"]');
}

describe('schedule form', () => {
  it('creates a schedule through the form with a live preview and the call confirmed', async () => {
    const { page, errors, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/schedules');
    await page.getByRole('button', { name: 'New schedule…' }).click();
    const form = page.getByRole('region', { name: 'New schedule' });
    await fillNew(page, 'berlin-ship', '61 9 * * *');
    // The server's message for a bad cron field, as the spec is typed.
    await expect
      .poll(() => form.getByTestId('schedule-preview').textContent())
      .toMatch(/invalid_argument.*out of range/);
    await form.getByLabel(/^Cron expressions/).fill('0 9 * * *');
    const preview = form.getByRole('table', { name: 'Preview of next fires' });
    await expect.poll(() => preview.getByTestId('next-fire').count()).toBe(5);
    expect(await preview.textContent()).toContain('Next fires (Europe/Berlin)');
    const first = preview.getByTestId('next-fire').first().getByRole('cell').first();
    expect(await first.textContent()).toMatch(/ 09:00:00$/);
    // A start typed in the schedule's zone, shown in UTC too.
    await form.getByLabel('Start (Europe/Berlin)').fill('2026-01-01T00:00:00');
    expect(await form.getByTestId('spec-start-at').textContent()).toBe(
      '2026-01-01 00:00:00 Europe/Berlin · 2025-12-31 23:00:00Z',
    );
    await form.getByLabel(/^Catch-up window/).fill('10m');
    await form.getByLabel('Overlap policy').selectOption('BUFFER_ONE');
    await form.getByLabel('Pause when a started workflow fails').check();
    await form.getByLabel('Memo (JSON object)').fill('{"owner": "shipping"}');
    await screenshot(page, 'schedule-form');
    expect(await seriousViolations(page)).toEqual([]);

    await form.getByRole('button', { name: 'Create…' }).click();
    const call = await page.getByTestId('api-call').textContent();
    expect(call).toContain('POST /api/v1/namespaces/default/schedules\n');
    expect(call).toContain('"scheduleId": "berlin-ship"');
    expect(call).toContain('"cronExpressions": [\n      "0 9 * * *"\n    ]');
    expect(call).toContain('"timezone": "Europe/Berlin"');
    expect(call).toContain('"catchupWindow": "10m"');
    expect(call).toContain('"startAt": "2025-12-31T23:00:00.000Z"');
    await page.getByRole('button', { name: 'Confirm' }).click();

    const card = page.getByTestId('schedule').filter({ hasText: 'berlin-ship' });
    const fires = card.getByRole('table', { name: 'Next fire times of berlin-ship' });
    await expect.poll(() => fires.getByTestId('next-fire').count()).toBe(5);
    const d = await describeSchedule('berlin-ship');
    expect(d.spec).toMatchObject({ cronExpressions: ['0 9 * * *'], timezone: 'Europe/Berlin' });
    expect(d.action).toMatchObject({ workflowType: 'ship', args: ['from-the-form'] });
    expect(d.policies).toEqual({
      overlap: 'BUFFER_ONE',
      catchupWindow: 600_000,
      pauseOnFailure: true,
    });
    expect(clock(d.info.nextActionTimes[0]!, 'Europe/Berlin')).toBe('09:00');

    // The same id again: the server's refusal shows beside the form.
    await page.getByRole('button', { name: 'New schedule…' }).click();
    await fillNew(page, 'berlin-ship', '0 9 * * *');
    await form.getByRole('button', { name: 'Create…' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => form.getByTestId('schedule-refused').textContent())
      .toContain('already_exists');
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect(errors).toEqual([]);
    await close();
  });

  it('edits a schedule: the form loads it and the update is confirmed', async () => {
    await h.call('POST', '/namespaces/default/schedules', {
      scheduleId: 'edit-me',
      spec: { cronExpressions: ['0 3 * * *'], timezone: 'America/New_York' },
      action: { workflowType: 'ship', args: ['kept'], workflowRunTimeout: '1h' },
      policies: { catchupWindow: '5m' },
    });
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/schedules');
    const card = page.getByTestId('schedule').filter({ hasText: 'edit-me' });
    await card.getByRole('button', { name: 'Edit…' }).click();
    const form = page.getByRole('region', { name: 'Edit schedule edit-me' });
    const cron = form.getByLabel(/^Cron expressions/);
    await expect.poll(() => cron.inputValue()).toBe('0 3 * * *');
    expect(await form.getByLabel(/^Time zone/).inputValue()).toBe('America/New_York');
    expect(await form.getByLabel(/^Catch-up window/).inputValue()).toBe('5m');
    expect(await form.getByLabel('Schedule id (required)').isDisabled()).toBe(true);
    await cron.fill('30 10 * * *');
    const preview = form.getByRole('table', { name: 'Preview of next fires' });
    await expect
      .poll(() => preview.getByTestId('next-fire').first().textContent())
      .toContain(' 10:30:00');
    await form.getByLabel(/^Note/).fill('moved to 10:30');
    await form.getByRole('button', { name: 'Save…' }).click();
    const call = await page.getByTestId('api-call').textContent();
    expect(call).toContain('PUT /api/v1/namespaces/default/schedules/edit-me\n');
    expect(call).toContain('"conflictToken"');
    expect(call).toContain('"30 10 * * *"');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(async () => (await describeSchedule('edit-me')).state.note === 'moved to 10:30', {
      what: 'the edit to land',
    });
    const d = await describeSchedule('edit-me');
    expect(d.spec.cronExpressions).toEqual(['30 10 * * *']);
    expect(d.state.note).toBe('moved to 10:30');
    // What the form does not show is kept.
    expect(d.action).toMatchObject({ args: ['kept'], workflowRunTimeout: 3_600_000 });
    expect(d.policies.catchupWindow).toBe(300_000);
    await expect.poll(() => card.textContent()).toContain('note: moved to 10:30');
    const fires = card.getByRole('table', { name: 'Next fire times of edit-me' });
    await expect.poll(() => fires.getByTestId('next-fire').count()).toBe(5);
    expect(clock(d.info.nextActionTimes[0]!, 'America/New_York')).toBe('10:30');
    await close();
  });

  it("backfills a range typed in the schedule's zone, showing it in UTC too", async () => {
    await h.call('POST', '/namespaces/default/schedules', {
      scheduleId: 'ny-backfill',
      spec: { cronExpressions: ['0 * * * *'], timezone: 'America/New_York' },
      action: { workflowType: 'ship', args: ['b'] },
    });
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'operator', '#/namespaces/default/schedules');
    const card = page.getByTestId('schedule').filter({ hasText: 'ny-backfill' });
    await card.getByText('Backfill', { exact: true }).click();
    await card.getByLabel('Backfill start (America/New_York)').fill('2026-01-01T00:00:00');
    await card.getByLabel('Backfill end (America/New_York)').fill('2026-07-01T02:30:00');
    expect(await card.getByTestId('backfill-start-at').textContent()).toBe(
      '2026-01-01 00:00:00 America/New_York · 2026-01-01 05:00:00Z',
    );
    // Summer time: four hours behind UTC.
    expect(await card.getByTestId('backfill-end-at').textContent()).toContain(
      '2026-07-01 06:30:00Z',
    );
    await card.getByRole('radio', { name: 'UTC', exact: true }).check();
    // (The browser drops zero seconds from the field's value.)
    expect(await card.getByLabel('Backfill start (UTC)').inputValue()).toMatch(
      /^2026-01-01T05:00(:00)?$/,
    );
    await card.getByRole('button', { name: 'Backfill…' }).click();
    const call = await page.getByTestId('api-call').textContent();
    expect(call).toContain('"start": "2026-01-01T05:00:00.000Z"');
    expect(call).toContain('"end": "2026-07-01T06:30:00.000Z"');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await close();
  });

  it('shows a reader no create or edit', async () => {
    const { page, close } = await newPage(h.browser);
    await h.open(page, 'reader', '#/namespaces/default/schedules');
    const card = page.getByTestId('schedule').filter({ hasText: 'berlin-ship' });
    await expect.poll(() => card.getByTestId('next-fire').count()).toBe(5);
    expect(await page.getByRole('button', { name: 'New schedule…' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit…' }).count()).toBe(0);
    await close();
  });
});
