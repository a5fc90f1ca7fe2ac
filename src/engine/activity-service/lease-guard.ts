// On a shared store other nodes void the task leases of a node whose shard leases expired
// (ADR 0014): a node cut off long enough — frozen, partitioned — may hold tasks that already
// run elsewhere. The guard tells, from the node's lease standing, whether an attempt of a task
// leased since a mark may start at once, and otherwise confirms the task's lease in the store
// first. Stores no other node shares have no standing: every attempt starts at once.
import { isAionError } from '../../core/index.js';
import type { ActivityTask, LeaseStanding, NewActivityTask } from '../../store/index.js';
import { leaseMsFor } from './lease.js';
import { taskDataOf } from './task-row.js';
import type { ServiceEnv } from './types.js';

/**
 * How long a lease check waits before it asks again: while the leases do not hold yet, and
 * after the store could not answer — then twice as long after each failure in a row, up to
 * the longest wait, so that a long outage is not asked about every half second per task.
 */
const CONFIRM_AGAIN_MS = 500;
const CONFIRM_AGAIN_MAX_MS = 8_000;

export class TaskLeaseGuard {
  readonly #env: ServiceEnv;
  readonly #standing: LeaseStanding | undefined;
  /** The standing's mark taken when each pre-leased task row was made (read at dispatch). */
  readonly #marks = new WeakMap<object, number>();

  constructor(env: ServiceEnv, standing: LeaseStanding | undefined) {
    this.#env = env;
    this.#standing = standing;
  }

  /** The mark to take before a task lease is written; none without a standing. */
  mark(): number | undefined {
    return this.#standing?.mark();
  }

  /** Remembers the mark of a task row leased in its scheduling commit. */
  marked(row: NewActivityTask): NewActivityTask {
    if (this.#standing !== undefined) this.#marks.set(row, this.#standing.mark());
    return row;
  }

  markOf(row: NewActivityTask): number | undefined {
    return this.#marks.get(row);
  }

  /** Whether an attempt of a task leased since `mark` may start without asking the store. */
  clear(mark: number | undefined): boolean {
    return this.#standing === undefined || (mark !== undefined && this.#standing.heldSince(mark));
  }

  /**
   * The check a queued attempt makes when its slot comes (undefined without a standing);
   * `onWithdrawn` is told when it says no.
   */
  mayStart(mark: number | undefined, onWithdrawn: () => void): (() => boolean) | undefined {
    if (this.#standing === undefined) return undefined;
    return () => {
      if (this.clear(mark)) return true;
      onWithdrawn();
      return false;
    };
  }

  /**
   * Confirms `task`'s lease (this attempt's) by extending it in the store; `start` is called
   * with a new mark if it held and the leases held since, and a task held elsewhere now is left
   * to its holder. While the store cannot say, it asks again later (backing off, see
   * {@link CONFIRM_AGAIN_MS}), until `skip` says not to.
   */
  confirm(
    task: ActivityTask,
    start: (mark: number) => void,
    skip: () => boolean,
    waitMs = CONFIRM_AGAIN_MS,
  ): void {
    const standing = this.#standing;
    if (standing === undefined) return start(0);
    const { store, clock, owner, metrics } = this.#env;
    const mark = standing.mark();
    const now = clock.now();
    /** Asks again after `wait`; the next failure in a row waits `next`. */
    const again = (wait: number, next: number): void => {
      clock.schedule(clock.now() + wait, () => {
        if (!skip()) this.confirm(task, start, skip, next);
      });
    };
    void store
      .extendTaskLease({
        namespace: task.namespace,
        taskId: task.taskId,
        owner,
        attempt: task.attempt,
        leaseUntil: now + leaseMsFor(taskDataOf(task).options),
        now,
      })
      .then(
        (held) => {
          if (skip()) return;
          if (!held) return metrics.taskLeaseChecks.inc(1, { outcome: 'moved' });
          if (!standing.heldSince(mark)) return again(CONFIRM_AGAIN_MS, CONFIRM_AGAIN_MS);
          metrics.taskLeaseChecks.inc(1, { outcome: 'held' });
          start(mark);
        },
        (err: unknown) => {
          // This node lost the store for good (single mode): it starts nothing more.
          if (isAionError(err) && err.code === 'store_locked')
            metrics.taskLeaseChecks.inc(1, { outcome: 'moved' });
          else if (!skip()) again(waitMs, Math.min(waitMs * 2, CONFIRM_AGAIN_MAX_MS));
        },
      );
  }
}
