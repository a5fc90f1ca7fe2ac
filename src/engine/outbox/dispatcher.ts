// The outbox dispatcher: routes each committed-but-unsettled message (children, child results,
// close policies, external signals, resets, continue-as-new successors) to its handler.
import { defectOn, isTransientStoreError } from '../../core/index.js';
import type { OutboxRow } from '../../store/index.js';
import {
  CHILD_RESULT_KIND,
  CHILD_START_KIND,
  CLOSE_POLICY_KIND,
  CONTINUE_AS_NEW_KIND,
  EXTERNAL_KIND,
  WORKFLOW_CRON_KIND,
  WORKFLOW_RETRY_KIND,
  type ChildResultData,
} from '../commands/index.js';
import { RESET_KIND } from '../control/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { backgroundDelay, type StoreRetryEnv } from '../store-retry.js';
import { startChild } from './child-start.js';
import { applyClosePolicy } from './close-policy.js';
import { deliverExternal } from './external.js';
import type { OutboxDeps } from './outbox-deps.js';
import { startSuccessor } from './successor.js';

export interface OutboxDispatcherDeps extends Omit<OutboxDeps, 'retryLater'> {
  readonly lifecycle: Lifecycle;
  readonly retry: StoreRetryEnv;
  /** Creates the new run recorded by a reset/reopen intent (idempotent). */
  readonly applyReset: (row: OutboxRow) => Promise<void>;
  /** Waits between sweeps (host time; the simulation's clock in a simulation). */
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
}

/** A row that failed for a reason other than an outage is tried again after this long. */
const REFUSED_RETRY_MS = 5000;
/** How often the store's outbox is swept for rows nobody is handling. */
export const OUTBOX_SWEEP_MS = 10_000;
const PAGE = 500;

export class OutboxDispatcher {
  readonly #d: OutboxDispatcherDeps;
  readonly #h: OutboxDeps;
  /** Rows being retried, with their attempt count (entries go once a dispatch settles it). */
  readonly #attempts = new Map<string, number>();
  /** Rows dispatched since the last sweep, and the rows that sweep saw. */
  #dispatchedSince = new Set<string>();
  #seen = new Set<string>();
  #sweeping = false;

  constructor(deps: OutboxDispatcherDeps) {
    this.#d = deps;
    this.#h = { ...deps, retryLater: (row, after) => this.#retryLater(row, after) };
  }

  dispatch(row: OutboxRow): void {
    if (this.#d.lifecycle.closed) return;
    const key = rowKey(row);
    this.#dispatchedSince.add(key);
    const before = this.#attempts.get(key);
    void this.#handle(row).then(
      () => {
        // Not sent back for a retry by this dispatch: done with it.
        if (this.#attempts.get(key) === before) this.#attempts.delete(key);
      },
      (error: unknown) => this.#retryLater(row, { error }),
    );
  }

  #retryLater(row: OutboxRow, after: number | { error: unknown }): void {
    const key = rowKey(row);
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    let ms: number;
    if (typeof after === 'number') ms = after;
    else if (isTransientStoreError(after.error)) ms = backgroundDelay(this.#d.retry, attempt);
    else {
      ms = REFUSED_RETRY_MS;
      this.#d.logger.error('outbox message failed; it is tried again', {
        kind: row.kind,
        workflowId: row.workflowId,
        runId: row.runId,
        error: String(after.error),
      });
    }
    const { clock } = this.#d;
    clock.schedule(clock.now() + ms, () => this.dispatch(row));
  }

  async #handle(row: OutboxRow): Promise<void> {
    switch (row.kind) {
      case CHILD_START_KIND:
        return startChild(this.#h, row);
      case CHILD_RESULT_KIND: {
        const data = JSON.parse(row.data) as ChildResultData;
        const parent = {
          namespace: data.parent.namespace,
          workflowId: data.parent.workflowId,
          runId: data.parent.runId,
        };
        this.#d.scheduler.enqueue(parent, { event: data.event, removeOutbox: [row.id] });
        return;
      }
      case CLOSE_POLICY_KIND:
        return applyClosePolicy(this.#h, row);
      case EXTERNAL_KIND:
        return deliverExternal(this.#h, row);
      case RESET_KIND:
        return this.#d.applyReset(row);
      case CONTINUE_AS_NEW_KIND:
      case WORKFLOW_RETRY_KIND:
      case WORKFLOW_CRON_KIND:
        return startSuccessor(this.#h, row);
      default:
        return;
    }
  }

  /** Re-dispatches messages committed but not settled before the last stop (e.g. successors). */
  async recover(shards?: readonly number[]): Promise<void> {
    await this.#eachPage((rows) => {
      if (defectOn('lose-outbox-after-crash'))
        return this.#d.store.deleteOutbox(
          rows[0]?.namespace ?? '',
          rows.map((r) => r.id),
        );
      for (const row of rows) this.dispatch(row);
      return Promise.resolve();
    }, shards);
  }

  /**
   * Sweeps the outbox every OUTBOX_SWEEP_MS until the engine stops. A row is normally handled
   * by the engine that committed it, or by the next one's `recover`; one that lands in the
   * store after that (a dead process's commit the database applied late) would otherwise wait
   * for the next start. A row is dispatched again when two sweeps in a row saw it and nothing
   * dispatched it in between; handlers are idempotent, so a row being settled slowly costs a
   * duplicate that its run drops.
   */
  startSweeping(): void {
    const loop = async (): Promise<void> => {
      while (!this.#d.lifecycle.closed) {
        await this.#d.delay(OUTBOX_SWEEP_MS, { unref: true });
        if (this.#d.lifecycle.closed) return;
        await this.sweep().catch((error: unknown) => {
          if (!isTransientStoreError(error))
            this.#d.logger.warn('outbox sweep failed', { error: String(error) });
        });
      }
    };
    void loop();
  }

  /** One sweep (see startSweeping); returns how many rows it dispatched again. */
  async sweep(): Promise<number> {
    if (this.#sweeping) return 0;
    this.#sweeping = true;
    const idle = this.#dispatchedSince;
    this.#dispatchedSince = new Set();
    const seen = new Set<string>();
    let dispatched = 0;
    try {
      await this.#eachPage((rows) => {
        for (const row of rows) {
          const key = rowKey(row);
          seen.add(key);
          if (!this.#seen.has(key) || idle.has(key) || this.#attempts.has(key)) continue;
          if (this.#dispatchedSince.has(key)) continue;
          this.#d.logger.debug('outbox row nobody handled: dispatched again', {
            kind: row.kind,
            workflowId: row.workflowId,
            runId: row.runId,
          });
          dispatched++;
          this.dispatch(row);
        }
        return Promise.resolve();
      });
      this.#seen = seen;
    } finally {
      this.#sweeping = false;
    }
    return dispatched;
  }

  async #eachPage(
    each: (rows: OutboxRow[]) => Promise<void>,
    only?: readonly number[],
  ): Promise<void> {
    let after: { namespace: string; id: string } | undefined;
    for (;;) {
      const shards = only ?? this.#d.scheduler.drivenShards();
      const rows = await this.#d.store.listOutbox({
        limit: PAGE,
        ...(after ? { after } : {}),
        ...(shards ? { shards } : {}),
      });
      await each(rows);
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = { namespace: last.namespace, id: last.id };
    }
  }
}

function rowKey(row: OutboxRow): string {
  return `${row.namespace}\u0000${row.id}`;
}
