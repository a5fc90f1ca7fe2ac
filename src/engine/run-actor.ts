import type { TimerHandle } from '../clock/index.js';
import type { Failure, NewEvent, RunKey } from '../core/index.js';
import type { AuditEntry, OutboxRow, ScheduleWrite, TimerRow } from '../store/index.js';
import { RunBook } from '../runtime/index.js';

/** How the sender of an arrival (or start) learns that it was committed, or refused. */
export interface Ack {
  resolve(): void;
  reject(error: unknown): void;
  /**
   * True once the sender stopped waiting (its deadline passed while the store was
   * unavailable; it was told `store_unavailable`): an arrival not committed yet is dropped.
   */
  readonly givenUp?: boolean;
  /**
   * The sender waits for the commit however long the store is away (background work that
   * must not lose what it reports, e.g. a remote worker's result): no store deadline.
   */
  readonly patient?: boolean;
}

/** Something that happened to a run and must be recorded (then delivered to its code). */
export interface Arrival {
  readonly event: NewEvent;
  /** Task rows to delete and timer rows to cancel in the same commit. */
  readonly removeTasks?: readonly string[];
  readonly cancelTimers?: readonly string[];
  /** Outbox rows written with this arrival (e.g. the intent of a reset with its terminal). */
  readonly addOutbox?: readonly OutboxRow[];
  /** Outbox rows (of this namespace) this arrival settles, removed in the same commit. */
  readonly removeOutbox?: readonly string[];
  /** Settled once the arrival is committed (or refused). */
  readonly ack?: Ack;
  /** The inbox message it came from (cluster mode), marked done by the commit recording it. */
  readonly inboxId?: string;
}

export interface PendingStart {
  readonly started: NewEvent & { type: 'WorkflowStarted' };
  readonly ack: Ack;
  /** Outbox rows settled by this start (a continue-as-new successor), in the same commit. */
  readonly removeOutbox?: readonly string[];
  /** Called synchronously once the start is committed, before its outbox rows are dispatched. */
  readonly onCommitted?: () => void;
  /** Timers of the new run (workflow timeouts), written with its start. */
  readonly timers?: readonly TimerRow[];
  /** The schedule fire that starts this run, committed with it (both or neither). */
  readonly schedule?: ScheduleWrite;
  /** The inbox message it came from (cluster mode), marked done by the start's commit. */
  readonly inboxId?: string;
  /**
   * Audit-trail entries the start's commit writes only if the store accepts it (see
   * START_AUDIT); `carried` is called once that commit is durable. Not forwarded with a start
   * another node carries out: its caller then writes the entries itself.
   */
  readonly audit?: { readonly entries: readonly AuditEntry[]; readonly carried: () => void };
}

/**
 * The engine's handle on one run: its bookkeeping, its resident sandbox instance (if any),
 * and a mailbox of arrivals. At most one activation+commit is in flight per run.
 */
export class RunActor {
  readonly key: RunKey;
  readonly mapKey: string;
  book = new RunBook();
  /** True when `book` reflects the run's whole committed history. */
  loaded = false;
  /** The workflow-thread generation in which this run's instance is resident, if any. */
  residentIn: number | undefined;
  inbox: Arrival[] = [];
  pendingStart: PendingStart | undefined;
  #busy = false;
  /**
   * Callers reading the live instance right now (queries, update validators). Several may
   * read at once; no activation starts while any reads.
   */
  readers = 0;
  /** Callers waiting for the run to be free (woken to re-check, see `whenFree`). */
  #freeWaiters: (() => void)[] = [];
  /** Its shard is leaving this node: once its work in flight settles, it leaves memory. */
  leaving = false;
  /** Activate alone (after a batch hit the deadlock timeout). */
  isolate = false;
  /** The run needs an activation even without new arrivals (recovery, task retry). */
  needsActivation = false;
  /** Timer rows of a released first task (cron, `startDelay`), deleted with the next commit. */
  releaseTimers: readonly string[] = [];
  retryTimer: TimerHandle | undefined;
  /** Times of recent task restarts (the supervisor's intensity window). */
  restarts: number[] = [];
  /** Durable "stuck" flag: parked after too many restarts; no more automatic retries. */
  stuck: { reason: string; since: number } | undefined;
  /** A visibility patch to commit with the run's next commit (parking, un-parking). */
  visibilityPatch: { stuck: { reason: string; since: number } | null } | undefined;
  /** Consecutive store failures of this run's rebuilds and commits (spaces out retries). */
  storeAttempts = 0;
  /** Consecutive commits the store refused for a non-transient reason. */
  commitRefusals = 0;
  /**
   * Set when the store keeps refusing this run's commits (not a transient failure): the run
   * is parked and records nothing until an operator retries it.
   */
  frozen: string | undefined;
  /** Set when the run cannot be rebuilt right now (replay failed, package missing). */
  broken:
    | {
        cause:
          'nondeterminism' | 'sandbox' | 'deadlock' | 'resource_exhausted' | 'unhandled' | 'limit';
        failure: Failure;
      }
    | undefined;

  constructor(key: RunKey) {
    this.key = key;
    this.mapKey = actorKey(key.namespace, key.runId);
  }

  /**
   * An activation, commit or rebuild of this run is in flight: its book and instance are
   * being changed. Exclusive: at most one at a time, and never while someone reads.
   */
  get busy(): boolean {
    return this.#busy;
  }

  set busy(value: boolean) {
    this.#busy = value;
    if (!value) this.wakeWaiters();
  }

  /**
   * `freed` settles the next time the run may have become free (the caller checks again);
   * `forget` drops the wait (the caller stopped waiting).
   */
  whenFree(): { freed: Promise<void>; forget: () => void } {
    let wake!: () => void;
    const freed = new Promise<void>((resolve) => (wake = resolve));
    this.#freeWaiters.push(wake);
    const forget = (): void => {
      const i = this.#freeWaiters.indexOf(wake);
      if (i >= 0) this.#freeWaiters.splice(i, 1);
    };
    return { freed, forget };
  }

  /** Wakes the callers waiting in `whenFree`. */
  wakeWaiters(): void {
    for (const wake of this.#freeWaiters.splice(0)) wake();
  }

  /** Forgets everything derived from history (it will be re-read and replayed). */
  reset(): void {
    this.book = new RunBook();
    this.loaded = false;
    this.residentIn = undefined;
  }

  get idle(): boolean {
    return (
      !this.busy &&
      this.readers === 0 &&
      this.inbox.length === 0 &&
      this.pendingStart === undefined &&
      !this.needsActivation &&
      this.visibilityPatch === undefined
    );
  }
}

export function actorKey(namespace: string, runId: string): string {
  return `${namespace}\u0000${runId}`;
}
