// The simulated workload: one driver per planned workflow starts it, sends its signals and
// updates (or a cancellation), then waits for its result, all through the client API of
// whichever engine runs now. Every operation carries an idempotency key and is retried (after
// a wait on the virtual clock) until acknowledged; a crash of the engine fails the calls that
// wait on it. Acknowledgements go to the world's evidence.
import { isAionError, type ClientApi } from '../src/index.js';
import type { MessagedSpec } from './fixtures/workflows.js';
import type { WorkflowPlan } from './plan.js';
import type { World } from './world.js';

/** An operation still failing after this much virtual time makes the workload give up. */
const DEADLINE_MS = 6 * 3600_000;

export interface WorkloadStats {
  retries: number;
  readonly errors: Record<string, number>;
  /** Operations under way (not yet acknowledged), with the last error each got. */
  readonly pending: Map<string, string>;
}

class Driver {
  readonly #world: World;
  readonly stats: WorkloadStats = { retries: 0, errors: {}, pending: new Map() };

  constructor(world: World) {
    this.#world = world;
  }

  /** Runs `call` on the current engine until it settles without a retryable error. */
  async #retry<T>(what: string, call: (client: ClientApi) => Promise<T>): Promise<T> {
    const world = this.#world;
    const deadline = world.clock.now() + DEADLINE_MS;
    let backoff = 100;
    this.stats.pending.set(what, '');
    for (;;) {
      const gen = world.current;
      try {
        const value = await Promise.race([call(gen.engine.client), gen.died]);
        this.stats.pending.delete(what);
        return value;
      } catch (err) {
        this.stats.pending.set(what, (err as Error).message);
        if (isAionError(err) && err.code === 'workflow_failed') {
          this.stats.pending.delete(what);
          throw err;
        }
        this.stats.retries++;
        const code = isAionError(err) ? err.code : (err as Error).name;
        this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
        if (world.clock.now() > deadline)
          throw new Error(`${what}: still failing at the deadline: ${(err as Error).message}`);
        await world.sleep(backoff);
        backoff = Math.min(2000, backoff * 2);
      }
    }
  }

  async #start(wf: WorkflowPlan, type: string, args: unknown[]): Promise<void> {
    const id = `start:${wf.id}`;
    await this.#world.sleep(wf.startAt);
    await this.#retry(id, (c) =>
      c.workflow.start(type, { workflowId: wf.id, args, requestId: id }),
    );
    this.#world.ack({ op: 'start', id, workflowId: wf.id });
  }

  async #result(wf: WorkflowPlan): Promise<void> {
    const id = `result:${wf.id}`;
    try {
      const result = await this.#retry(id, (c) => c.workflow.getHandle(wf.id).result());
      this.#world.ack({ op: 'result', id, workflowId: wf.id, result });
    } catch (err) {
      // A cancelled run's outcome; any other failed run shows in its history.
      if (!(isAionError(err) && err.code === 'workflow_failed')) throw err;
    }
  }

  async #messages(wf: Extract<WorkflowPlan, { kind: 'messaged' }>): Promise<void> {
    for (let j = 0; j < Math.max(wf.signals, wf.updates); j++) {
      if (j < wf.signals) {
        const id = `signal:${wf.id}:${j}`;
        await this.#world.sleep(wf.gapMs);
        await this.#retry(id, (c) =>
          c.workflow
            .getHandle(wf.id)
            .signalWithOptions({ requestId: id }, 'note', `${wf.id}:s${j}`),
        );
        this.#world.ack({ op: 'signal', id, workflowId: wf.id });
      }
      if (j < wf.updates) {
        const id = `update:${wf.id}:${j}`;
        await this.#world.sleep(wf.gapMs);
        const result = await this.#retry(id, (c) =>
          c.workflow.getHandle(wf.id).executeUpdate('bump', { args: [j + 1], updateId: id }),
        );
        this.#world.ack({ op: 'update', id, workflowId: wf.id, result });
      }
    }
  }

  async drive(wf: WorkflowPlan): Promise<void> {
    switch (wf.kind) {
      case 'messaged': {
        const spec: MessagedSpec = {
          signals: wf.signals,
          updates: wf.updates,
          sleepMs: wf.sleepMs,
          child: wf.child,
          activityMs: wf.activityMs,
        };
        await this.#start(wf, 'messaged', [spec]);
        await this.#messages(wf);
        break;
      }
      case 'chained':
        await this.#start(wf, 'chained', [wf.runs]);
        break;
      case 'cancellable':
        await this.#start(wf, 'cancellable', [wf.sleepMs]);
        await this.#world.sleep(wf.cancelAfterMs);
        // A run that already ended refuses the cancellation: nothing to retry then.
        await this.#retry(`cancel:${wf.id}`, (c) =>
          c.workflow
            .getHandle(wf.id)
            .cancel('sim')
            .catch((err: unknown) => {
              if (isAionError(err) && !err.retryable) return;
              throw err;
            }),
        );
        break;
    }
    await this.#result(wf);
  }
}

/** Runs every driver; resolves with the stats once all are done (rejects when one gives up). */
export function runWorkload(world: World): { stats: WorkloadStats; done: Promise<void> } {
  const driver = new Driver(world);
  const done = Promise.all(world.plan.workflows.map((wf) => driver.drive(wf))).then(() => {});
  return { stats: driver.stats, done };
}
