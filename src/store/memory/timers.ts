// The memory store's timers: durable timer rows with their claims, claimed when due in fireAt
// order, expired when their claimer is known dead, and dropped with their run.
import type { RunKey } from '../../core/index.js';
import type { ClaimedTimer, TimerRow } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { inShards, key, ownerExpires } from './keys.js';
import { RunIndex } from './run-index.js';

interface TimerState extends TimerRow {
  claimOwner?: string;
  claimUntil?: number;
}

export class MemoryTimers {
  readonly #timers = new Map<string, TimerState>();
  readonly #byRun = new RunIndex();

  /** Schedules a timer of a run (an upsert by timer id). */
  upsert(namespace: string, runId: string, row: TimerRow): void {
    const timerKey = key(namespace, runId, row.timerId);
    this.#timers.set(timerKey, { ...row });
    this.#byRun.add(namespace, runId, timerKey);
  }

  deleteTimer(namespace: string, runId: string, timerId: string): void {
    const timerKey = key(namespace, runId, timerId);
    if (this.#timers.delete(timerKey)) this.#byRun.delete(namespace, runId, timerKey);
  }

  /** Deletes every timer of a run (it closed or was purged). */
  dropRun(namespace: string, runId: string): void {
    for (const timerKey of this.#byRun.take(namespace, runId)) this.#timers.delete(timerKey);
  }

  claimDueTimers(request: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
    shards?: readonly number[];
  }): ClaimedTimer[] {
    const due = [...this.#timers.values()]
      .filter(
        (t) =>
          t.fireAt <= request.now &&
          (t.claimUntil === undefined || t.claimUntil <= request.now) &&
          inShards(request.shards, t.namespace, t.workflowId),
      )
      .sort(
        (a, b) =>
          a.fireAt - b.fireAt ||
          compareStrings(
            key(a.namespace, a.runId, a.timerId),
            key(b.namespace, b.runId, b.timerId),
          ),
      )
      .slice(0, request.limit);
    const claimUntil = request.now + request.leaseMs;
    return due.map((t) => {
      t.claimOwner = request.owner;
      t.claimUntil = claimUntil;
      return { ...stripTimer(t), claimUntil };
    });
  }

  /**
   * Expires, as of `now`, every live claim not held by `exceptOwner` (with `owners`: held by
   * one of them); returns how many.
   */
  expireClaims(exceptOwner: string, now: number, owners?: readonly string[]): number {
    let expired = 0;
    for (const t of this.#timers.values()) {
      if (ownerExpires(t.claimOwner, exceptOwner, owners) && (t.claimUntil ?? 0) > now) {
        t.claimUntil = now;
        expired++;
      }
    }
    return expired;
  }

  listTimers(run: RunKey): TimerRow[] {
    return [...this.#timers.values()]
      .filter((t) => t.namespace === run.namespace && t.runId === run.runId)
      .sort((a, b) => a.fireAt - b.fireAt || compareStrings(a.timerId, b.timerId))
      .map(stripTimer);
  }

  nextTimerAt(shards?: readonly number[]): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers.values()) {
      if (!inShards(shards, t.namespace, t.workflowId)) continue;
      const at = Math.max(t.fireAt, t.claimUntil ?? 0);
      if (min === undefined || at < min) min = at;
    }
    return min;
  }
}

function stripTimer(t: TimerState): TimerRow {
  const { claimOwner: _o, claimUntil: _u, ...row } = t;
  return row;
}
