// Cancel, terminate, pause and resume: a control event recorded on the addressed open run,
// acknowledged once committed (it takes effect then).
import { AionError, type NewEvent } from '../../core/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import type { RunScheduler } from '../scheduler/index.js';

export type ControlAction = 'cancel' | 'terminate' | 'pause' | 'resume';

export interface RunControlDeps {
  readonly lifecycle: Lifecycle;
  readonly identity: string;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
}

export class RunControl {
  readonly #d: RunControlDeps;

  constructor(deps: RunControlDeps) {
    this.#d = deps;
  }

  cancel(ref: RunRef, reason?: string): Promise<void> {
    return this.#control(ref, 'cancel', {
      type: 'WorkflowCancelRequested',
      identity: this.#d.identity,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  terminate(ref: RunRef, reason?: string): Promise<void> {
    return this.#control(ref, 'terminate', {
      type: 'WorkflowTerminated',
      reason: reason ?? 'terminated',
      identity: this.#d.identity,
    });
  }

  pause(ref: RunRef, reason?: string): Promise<void> {
    return this.#control(ref, 'pause', {
      type: 'WorkflowPaused',
      identity: this.#d.identity,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  resume(ref: RunRef): Promise<void> {
    return this.#control(ref, 'resume', { type: 'WorkflowResumed', identity: this.#d.identity });
  }

  async #control(ref: RunRef, action: ControlAction, event: NewEvent): Promise<void> {
    this.#d.lifecycle.check();
    if (
      event.type === 'WorkflowTerminated' ||
      event.type === 'WorkflowCancelRequested' ||
      event.type === 'WorkflowPaused'
    ) {
      const reason = (event as { reason?: unknown }).reason;
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 10_000)) {
        throw new AionError(
          'invalid_argument',
          'reason must be a string of at most 10,000 characters',
          { field: 'reason' },
        );
      }
    }
    const code = action === 'pause' || action === 'resume' ? 'invalid_state' : 'workflow_closed';
    const info = await this.#d.resolver.resolveOpen(ref, action, code);
    await new Promise<void>((resolve, reject) => {
      this.#d.scheduler.enqueue(info, { event, ack: { resolve, reject } });
    });
  }
}
