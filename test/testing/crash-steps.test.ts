import { describe, expect, it } from 'vitest';
import {
  checkCrashAtEveryStep,
  CrashStepError,
  replayHistory,
  TestWorkflowEnvironment,
  type CrashAtEveryStepOptions,
} from '../../src/testing/index.js';

const workflowsPath = new URL('../fixtures/crash-steps/workflows.ts', import.meta.url).pathname;

const activities = {
  reserve: async (sku: string) => `r-${sku}`,
  charge: async (amount: number) => `c-${amount}`,
};

const checkout: CrashAtEveryStepOptions = {
  workflowsPath,
  activities,
  workflowType: 'checkout',
  args: [10],
  script: async (handle, env) => {
    await env.sleep('2 hours');
    await handle.signal('approve', 'ada');
    expect(await handle.executeUpdate('addItem', { args: ['pen'] })).toBe(1);
  },
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('checkCrashAtEveryStep', () => {
  it('recovers a correct workflow (activities, timer, signal, update) from every task boundary', async () => {
    const { steps, results, history } = await checkCrashAtEveryStep(checkout);
    const tasks = history.events.filter(
      (e) => e.type === 'WorkflowTaskCompleted' || e.type === 'WorkflowCompleted',
    ).length;
    expect(tasks).toBe(6);
    expect(steps).toBe(tasks + 1);
    expect(results.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results[0]).toEqual({ step: 0, afterSeq: 1, liveTasks: 6 });
    expect(results.at(-1)).toEqual({ step: 6, afterSeq: history.events.length, liveTasks: 0 });
    expect(history.events.at(-1)).toMatchObject({ type: 'WorkflowCompleted' });
  });

  it('recovers a parent with a child workflow, a local activity, a patch and a memo', async () => {
    const { steps, history } = await checkCrashAtEveryStep({
      workflowsPath,
      activities,
      workflowType: 'parent',
      args: [5],
    });
    const types = history.events.map((e) => e.type);
    expect(types).toContain('ChildWorkflowCompleted');
    expect(types).toContain('MemoUpserted');
    expect(history.events.at(-1)).toMatchObject({
      type: 'WorkflowCompleted',
      result: { data: '"r-pen/c-5"' },
    });
    expect(steps).toBeGreaterThan(3);
  });

  it('names the crash point and the first differing event for a replay-aware workflow', async () => {
    const err = await rejection(
      checkCrashAtEveryStep({ workflowsPath, activities, workflowType: 'replayAware', args: [10] }),
    );
    expect(err).toBeInstanceOf(CrashStepError);
    const e = err as CrashStepError;
    expect(e.code).toBe('nondeterminism');
    // Tasks: 1 schedules reserve; 2 (reserved) counts and starts the timer; 3 (the timer
    // fired) schedules charge. After a crash at step 2, task 2 is replayed (no count) and
    // task 3 runs live: charge(10) where the original charged 11.
    expect(e.step).toBe(2);
    expect(e.afterSeq).toBe(6);
    expect(e.seq).toBe(8);
    expect(e.expected).toBe(
      'ActivityScheduled(activityType: "charge", activityId: "2", input: [{"encoding":"json/plain","data":"11"}])',
    );
    expect(e.actual).toBe(
      'ActivityScheduled(activityType: "charge", activityId: "2", input: [{"encoding":"json/plain","data":"10"}])',
    );
    expect(e.message).toContain('crash after step 2 (history seq 6)');
  });

  it('reports a divergence in the replay itself with the step and the NonDeterminismError', async () => {
    const err = await rejection(
      checkCrashAtEveryStep({
        workflowsPath,
        activities,
        workflowType: 'replayBranch',
        args: [10],
      }),
    );
    expect(err).toBeInstanceOf(CrashStepError);
    const e = err as CrashStepError;
    // Step 3 is the first crash point whose replay covers the task after the timer.
    expect(e.step).toBe(3);
    expect(e.seq).toBe(8);
    expect(e.expected).toBe('ActivityScheduled(charge, id 2)');
    expect(e.actual).toBe('StartTimer(id 2, 60000 ms)');
    expect(e.message).toContain('replaying the history up to the crash failed');
    expect((e.cause as { ok?: boolean } | undefined)?.ok).toBe(false);
  });

  it('a full replay of the same history does not catch that bug', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, activities });
    try {
      const handle = await env.client.workflow.start('replayAware', { args: [10] });
      expect(await handle.result()).toBe('r-book/c-11');
      await replayHistory(await handle.fetchHistory(), workflowsPath);
    } finally {
      await env.teardown();
    }
  });

  it('re-executes activities after the crash point when asked', async () => {
    let calls = 0;
    const counted = {
      ...activities,
      reserve: async (sku: string) => {
        calls++;
        return `r-${sku}`;
      },
    };
    const { steps } = await checkCrashAtEveryStep({
      ...checkout,
      activities: counted,
      reexecuteActivities: true,
    });
    // Once in the original run, then once per crash point before its outcome (steps 0 and 1).
    expect(calls).toBe(3);
    expect(steps).toBe(7);
  });

  it('reports a re-executed activity whose result differs', async () => {
    let n = 0;
    const err = await rejection(
      checkCrashAtEveryStep({
        ...checkout,
        activities: { ...activities, reserve: async (sku: string) => `r-${sku}-${n++}` },
        reexecuteActivities: true,
      }),
    );
    expect(err).toBeInstanceOf(CrashStepError);
    expect((err as CrashStepError).step).toBe(0);
    expect((err as CrashStepError).message).toMatch(/WorkflowCompleted/);
  });
});
