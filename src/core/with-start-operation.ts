// The start half of an update-with-start call: which workflow to start (and how) when no run
// of its id is open, and, once the call ran, the handle of the run the update went to.
import { AionError } from './errors.js';
import type {
  StartWorkflowOperation,
  WithStartWorkflowOptions,
  WorkflowHandle,
  WorkflowTypeRef,
} from './client-api.js';

/**
 * @example
 * const op = WithStartWorkflowOperation.create(cart, {
 *   workflowId: 'cart-1', taskQueue: 'shop', workflowIdConflictPolicy: 'USE_EXISTING',
 * });
 * const total = await client.workflow.executeUpdateWithStart(addItem, {
 *   args: ['apple'], startWorkflowOperation: op,
 * });
 * const handle = await op.workflowHandle();
 */
export class WithStartWorkflowOperation<R = unknown> implements StartWorkflowOperation<R> {
  readonly workflow: WorkflowTypeRef;
  readonly options: WithStartWorkflowOptions;
  #used = false;
  #settle!: { resolve: (h: WorkflowHandle<R>) => void; reject: (e: unknown) => void };
  readonly #handle: Promise<WorkflowHandle<R>>;

  private constructor(workflow: WorkflowTypeRef, options: WithStartWorkflowOptions) {
    this.workflow = workflow;
    this.options = options;
    this.#handle = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#handle.catch(() => undefined);
  }

  static create<R = unknown>(
    workflow: WorkflowTypeRef,
    options: WithStartWorkflowOptions,
  ): WithStartWorkflowOperation<R> {
    return new WithStartWorkflowOperation<R>(workflow, options);
  }

  /** The handle of the run the update went to, once the with-start call got that far. */
  workflowHandle(): Promise<WorkflowHandle<R>> {
    return this.#handle;
  }

  /** Marks the operation used (an operation serves one call). For the clients. */
  claim(): void {
    if (this.#used)
      throw new AionError(
        'invalid_argument',
        'this WithStartWorkflowOperation was already used: create one per call',
        { field: 'startWorkflowOperation' },
      );
    this.#used = true;
  }

  /** Settles `workflowHandle()`. For the clients. */
  settle(outcome: { handle: WorkflowHandle<R> } | { error: unknown }): void {
    if ('handle' in outcome) this.#settle.resolve(outcome.handle);
    else this.#settle.reject(outcome.error);
  }
}
