// The outbox dispatcher: routes each committed-but-unsettled message (children, child results,
// close policies, external signals, resets, continue-as-new successors) to its handler.
import type { OutboxRow } from '../../store/index.js';
import {
  CHILD_RESULT_KIND,
  CHILD_START_KIND,
  CLOSE_POLICY_KIND,
  CONTINUE_AS_NEW_KIND,
  EXTERNAL_KIND,
  type ChildResultData,
} from '../commands/index.js';
import { RESET_KIND } from '../control/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { startChild } from './child-start.js';
import { applyClosePolicy } from './close-policy.js';
import { deliverExternal } from './external.js';
import type { OutboxDeps } from './outbox-deps.js';
import { startSuccessor } from './successor.js';

export interface OutboxDispatcherDeps extends Omit<OutboxDeps, 'retryLater'> {
  readonly lifecycle: Lifecycle;
  /** Creates the new run recorded by a reset/reopen intent (idempotent). */
  readonly applyReset: (row: OutboxRow) => Promise<void>;
}

export class OutboxDispatcher {
  readonly #d: OutboxDispatcherDeps;
  readonly #h: OutboxDeps;

  constructor(deps: OutboxDispatcherDeps) {
    this.#d = deps;
    this.#h = {
      ...deps,
      retryLater: (row, ms) => deps.clock.schedule(deps.clock.now() + ms, () => this.dispatch(row)),
    };
  }

  dispatch(row: OutboxRow): void {
    if (this.#d.lifecycle.closed) return;
    switch (row.kind) {
      case CHILD_START_KIND:
        return void startChild(this.#h, row);
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
        return void applyClosePolicy(this.#h, row);
      case EXTERNAL_KIND:
        return void deliverExternal(this.#h, row);
      case RESET_KIND:
        return void this.#d.applyReset(row).catch((err: unknown) =>
          this.#d.logger.error('reset could not create the new run', {
            workflowId: row.workflowId,
            error: String(err),
          }),
        );
      case CONTINUE_AS_NEW_KIND:
        return startSuccessor(this.#h, row);
      default:
        return;
    }
  }

  /** Re-dispatches messages committed but not settled before the last stop (e.g. successors). */
  async recover(): Promise<void> {
    let after: { namespace: string; id: string } | undefined;
    for (;;) {
      const rows = await this.#d.store.listOutbox({ limit: 500, ...(after ? { after } : {}) });
      for (const row of rows) this.dispatch(row);
      if (rows.length < 500) break;
      const last = rows[rows.length - 1]!;
      after = { namespace: last.namespace, id: last.id };
    }
  }
}
