// The workload both store benchmarks commit: 1,000 runs × 10 events, in calls of 100 runs ×
// 5 events (the first carries WorkflowStarted) — the adapter and the raw driver write the
// same rows.
import { stampEvent, type HistoryEvent, type NewEvent, type RunKey } from '../src/core/index.js';
import type { RunCommit } from '../src/store/index.js';
import { percentile } from './lib.js';

export const RUNS = 1000;
export const EVENTS_PER_RUN = 10;
export const EVENTS_PER_COMMIT = 5;
export const RUNS_PER_CALL = 100;
export const LATENCY_COMMITS = 500;

export const payload = (value: unknown) => ({
  encoding: 'json/plain',
  data: JSON.stringify(value),
});

export function runKey(i: number): RunKey {
  const hex = i.toString(16).padStart(12, '0');
  return {
    namespace: 'default',
    workflowId: `order-${i}`,
    runId: `00000000-0000-4000-8000-${hex}`,
  };
}

/** A plausible history: start, then activity schedule/complete pairs closed by task completions. */
export function historyOf(length: number, t0: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (let seq = 1; seq <= length; seq++) {
    let e: NewEvent;
    if (seq === 1) {
      e = {
        type: 'WorkflowStarted',
        workflowType: 'OrderWorkflow',
        taskQueue: 'orders',
        args: [payload({ orderId: 42, items: ['a', 'b'] })],
        version: 'sha256-0123456789abcdef',
      };
    } else if (seq % 3 === 2) {
      e = {
        type: 'ActivityScheduled',
        activityId: String(seq),
        activityType: 'chargeCard',
        input: [payload({ amount: 1999, currency: 'EUR' })],
        options: { taskQueue: 'orders', startToCloseTimeoutMs: 10_000 },
      };
    } else if (seq % 3 === 0) {
      e = {
        type: 'ActivityCompleted',
        scheduledSeq: seq - 1,
        result: payload({ ok: true, receipt: 'r-123456' }),
        attempt: 1,
      };
    } else {
      e = { type: 'WorkflowTaskCompleted' };
    }
    events.push(stampEvent(e, seq, t0 + seq));
  }
  return events;
}

export interface Workload {
  readonly runs: RunKey[];
  readonly histories: HistoryEvent[][];
  /** Commit calls in order; each is RUNS_PER_CALL runs' next EVENTS_PER_COMMIT events. */
  readonly calls: RunCommit[][];
}

export function workload(): Workload {
  const runs = Array.from({ length: RUNS }, (_, i) => runKey(i));
  const histories = runs.map((_, i) => historyOf(EVENTS_PER_RUN, 1_700_000_000_000 + i));
  const calls: RunCommit[][] = [];
  for (let from = 0; from < EVENTS_PER_RUN; from += EVENTS_PER_COMMIT) {
    for (let r = 0; r < RUNS; r += RUNS_PER_CALL) {
      const call: RunCommit[] = [];
      for (let i = r; i < Math.min(RUNS, r + RUNS_PER_CALL); i++) {
        call.push({
          run: runs[i]!,
          expectedSeq: from,
          events: histories[i]!.slice(from, from + EVENTS_PER_COMMIT),
        });
      }
      calls.push(call);
    }
  }
  return { runs, histories, calls };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
