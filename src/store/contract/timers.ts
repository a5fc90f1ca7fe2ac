// The timers part of the store contract: durable timer rows, claimed when due under a lease
// so that one node fires each timer.
import type { RunKey } from '../../core/index.js';

/** A durable timer row. `(namespace, runId, timerId)` is its key; scheduling is an upsert. */
export interface TimerRow {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly timerId: string;
  /** Epoch ms at which the timer is due (claimable when `fireAt <= now`). */
  readonly fireAt: number;
  /** What the engine should do when it fires (user timer, retry backoff, timeout …). */
  readonly kind: string;
  /** Opaque engine data. */
  readonly data?: string;
}

/** A timer handed out by {@link TimerStore.claimDueTimers}, leased to `owner` until `claimUntil`. */
export interface ClaimedTimer extends TimerRow {
  readonly claimUntil: number;
}

export interface TimerStore {
  /** Claims up to `limit` timers with `fireAt <= now` not claimed by a live lease, in fireAt order. */
  claimDueTimers(request: {
    readonly owner: string;
    readonly now: number;
    readonly leaseMs: number;
    readonly limit: number;
    /** Only timers of runs (and schedules) of these shards; every timer when absent. */
    readonly shards?: readonly number[];
  }): Promise<ClaimedTimer[]>;
  /** Deletes a timer (idempotent). */
  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void>;
  listTimers(run: RunKey): Promise<TimerRow[]>;
  /**
   * When the next timer becomes claimable: the earliest of max(fireAt, claimUntil) over all
   * timers (for the engine's wake-up), or undefined when there are none.
   */
  nextTimerAt(shards?: readonly number[]): Promise<number | undefined>;
}
