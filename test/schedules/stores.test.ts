/**
 * Schedules on SQLite and PostgreSQL (the time-skipping clock over a real store): every
 * overlap policy, catch-up inside and outside the window across an engine restart,
 * pauseOnFailure, and the list filter over a schedule's search attributes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleOverlapPolicy, Store } from '../../src/index.js';
import type { StoreHandle } from '../../src/store/conformance/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import { postgresHarness, SKIP_PG, sqliteHarness } from '../store/harnesses.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);

const harnesses = SKIP_PG ? [sqliteHarness] : [sqliteHarness, postgresHarness];
let handles: StoreHandle[] = [];
let envs: TestWorkflowEnvironment[] = [];

afterEach(async () => {
  for (const e of envs) await e.teardown();
  for (const h of handles) await h.dispose();
  envs = [];
  handles = [];
});

async function env(store: Store, start = START): Promise<TestWorkflowEnvironment> {
  const e = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, store, start });
  envs.push(e);
  return e;
}

const EXPECTED: Record<ScheduleOverlapPolicy, (taken: number, skipped: number) => void> = {
  // Fires every minute, each action runs 160 s, for 6 min 45 s. No action closes at the minute
  // of a fire: runs on other workflows' timers due at the same instant have no defined order.
  SKIP: (taken, skipped) => expect([taken, skipped]).toEqual([2, 4]),
  BUFFER_ONE: (taken, skipped) => {
    // 1 starts; 2 waits, 3 is skipped; 2 starts at 3:40; 4 waits, 5 and 6 are skipped; 4
    // starts when 2 closes at 6:20.
    expect(taken).toBe(3);
    expect(skipped).toBe(3);
  },
  BUFFER_ALL: (taken, skipped) => {
    expect(taken).toBe(3);
    expect(skipped).toBe(0);
  },
  CANCEL_OTHER: (taken) => expect(taken).toBe(6),
  TERMINATE_OTHER: (taken) => expect(taken).toBe(6),
  ALLOW_ALL: (taken) => expect(taken).toBe(6),
};

describe.each(harnesses)('schedules on $name', (harness) => {
  it.each(Object.keys(EXPECTED) as ScheduleOverlapPolicy[])(
    'overlap policy %s',
    async (overlap) => {
      const h = await harness.create();
      handles.push(h);
      const e = await env(h.store);
      const handle = await e.client.schedule.create({
        scheduleId: `every-minute-${overlap}`,
        spec: { intervals: [{ every: '1 minute' }] },
        action: { type: 'startWorkflow', workflowType: 'held', args: [160_000] },
        policies: { overlap },
      });
      await e.sleep(6 * MINUTE + 45_000);
      const d = await handle.describe();
      EXPECTED[overlap](d.info.numActionsTaken, d.info.numActionsSkippedOverlap);
      // Exactly one workflow per started fire.
      const runs = await e.client.workflow.list({ query: "WorkflowType = 'held'" });
      expect(runs.items.length).toBe(d.info.numActionsTaken);
      if (overlap === 'TERMINATE_OTHER' || overlap === 'CANCEL_OTHER') {
        const stopped = runs.items.filter((r) =>
          overlap === 'TERMINATE_OTHER' ? r.status === 'TERMINATED' : r.status === 'CANCELLED',
        );
        expect(stopped.length).toBe(5);
      }
    },
  );

  it('catches up fires inside the window after a restart and counts older ones missed', async () => {
    const h = await harness.create();
    handles.push(h);
    const first = await env(h.store);
    const handle = await first.client.schedule.create({
      scheduleId: 'catch-up',
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'held', args: [1] },
      policies: { overlap: 'ALLOW_ALL', catchupWindow: '10 minutes' },
    });
    await first.sleep(MINUTE + 1000);
    expect((await handle.describe()).info.numActionsTaken).toBe(1);
    await first.teardown();
    envs = envs.filter((x) => x !== first);
    // The engine is down for half an hour: fires at 2..31 min came due meanwhile.
    const second = await env(h.store, START + 31 * MINUTE + 30_000);
    // Virtual time stands still while the restarted engine finds the due timer and catches up.
    const caughtUp = second.client.schedule.getHandle('catch-up');
    const deadline = Date.now() + 60_000;
    let d = await caughtUp.describe();
    while (d.info.numActionsTaken + d.info.numActionsMissedCatchupWindow < 31) {
      if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(d.info)}`);
      await new Promise((r) => setTimeout(r, 50));
      d = await caughtUp.describe();
    }
    // 10-minute window at 31.5 min: 22..31 are taken, 2..21 missed.
    expect(d.info.numActionsMissedCatchupWindow).toBe(20);
    expect(d.info.numActionsTaken).toBe(11);
    expect(d.info.recentActions.at(-1)?.scheduledAt.getTime()).toBe(START + 31 * MINUTE);
  });

  it('pauses on a failed action with pauseOnFailure', async () => {
    const h = await harness.create();
    handles.push(h);
    const e = await env(h.store);
    const handle = await e.client.schedule.create({
      scheduleId: 'fragile',
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'alwaysFails' },
      policies: { pauseOnFailure: true },
    });
    await e.sleep(5 * MINUTE);
    const d = await handle.describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toContain('pauseOnFailure');
    expect(d.info.numActionsTaken).toBe(1);
  });

  it('lists schedules filtered by their search attributes', async () => {
    const h = await harness.create();
    handles.push(h);
    const e = await env(h.store);
    await e.engine.registerSearchAttributes({ Team: 'Keyword' });
    for (const [id, team] of [
      ['a', 'billing'],
      ['b', 'search'],
      ['c', 'billing'],
    ] as const) {
      await e.client.schedule.create({
        scheduleId: id,
        spec: { cronExpressions: ['@daily'] },
        action: { type: 'startWorkflow', workflowType: 'held', args: [1] },
        searchAttributes: { Team: team },
      });
    }
    const ids: string[] = [];
    for await (const s of e.client.schedule.list({ query: "Team = 'billing'", pageSize: 1 }))
      ids.push(s.scheduleId);
    expect(ids).toEqual(['a', 'c']);
  });
});
