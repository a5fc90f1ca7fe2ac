/**
 * The workload of the store-fault tests: runs of `faulty` (test/engine/fixtures/fault-workflows.ts),
 * whose activities count how often each step executed, and the check that every run completed
 * with each step recorded, and executed, exactly once.
 */
import { expect } from 'vitest';
import type { Engine, HistoryEvent } from '../../src/index.js';
import { eventCounts } from './histories.js';

export const faultWorkflowsPath = new URL('../engine/fixtures/fault-workflows.ts', import.meta.url)
  .pathname;
/** The `steps` argument of every run. */
export const FAULT_STEPS = 3;
/** The activity steps of one run: `FAULT_STEPS` in a row, two in parallel, one after the signal. */
const STEP_NUMBERS = [...Array(FAULT_STEPS).keys(), 100, 101, 200];

export interface FaultWorkload {
  readonly activities: { work(workflowId: string, i: number): Promise<string> };
  /** Executions (attempts that returned) per `workflowId/step`. */
  readonly executions: Map<string, number>;
}

/** The activities, each step taking `pauseMs(step)` before it returns. */
export function faultWorkload(pauseMs: (step: number) => number): FaultWorkload {
  const executions = new Map<string, number>();
  const activities = {
    work: async (workflowId: string, i: number) => {
      await new Promise((r) => setTimeout(r, pauseMs(i)));
      const k = `${workflowId}/${i}`;
      executions.set(k, (executions.get(k) ?? 0) + 1);
      return `${workflowId}:${i}`;
    },
  };
  return { activities, executions };
}

/** Retries `fn` (a client call may fail while the store fails) until it succeeds. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts a run of `faulty` per id (request id = workflow id), retrying each until it is accepted. */
export async function startFaultRuns(engine: Engine, ids: readonly string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      eventually(`start ${id}`, () =>
        engine.start('faulty', { workflowId: id, args: [id, FAULT_STEPS], requestId: id }),
      ),
    ),
  );
}

/** Sends each run its `go` signal (request id `go-<id>`), retrying each until it is accepted. */
export async function signalFaultRuns(engine: Engine, ids: readonly string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      eventually(`signal ${id}`, () =>
        engine.getHandle(id).signalWithRequestId(`go-${id}`, 'go', 'done'),
      ),
    ),
  );
}

export async function allCompleted(engine: Engine, ids: readonly string[]): Promise<boolean> {
  for (const id of ids) {
    if ((await engine.getHandle(id).describe()).status !== 'COMPLETED') return false;
  }
  return true;
}

/**
 * Every run has a contiguous history with one start, one signal, one completion and each
 * activity recorded completed exactly once — and executed exactly once. `label` (a seed) is
 * shown with any mismatch.
 */
export async function expectEachStepOnce(
  engine: Engine,
  ids: readonly string[],
  executions: ReadonlyMap<string, number>,
  label: Record<string, unknown> = {},
): Promise<void> {
  for (const id of ids) {
    const events: readonly HistoryEvent[] = (await engine.getHandle(id).fetchHistory()).events;
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i + 1));
    const counts = eventCounts(events);
    expect({
      ...label,
      id,
      started: counts.WorkflowStarted,
      signals: counts.SignalReceived,
      completed: counts.WorkflowCompleted,
      activitiesCompleted: counts.ActivityCompleted,
    }).toEqual({
      ...label,
      id,
      started: 1,
      signals: 1,
      completed: 1,
      activitiesCompleted: FAULT_STEPS + 3,
    });
    for (const step of STEP_NUMBERS) {
      const runs = executions.get(`${id}/${step}`);
      expect({ ...label, id, step, runs }).toEqual({ ...label, id, step, runs: 1 });
    }
  }
}
