// Retrying a stuck (or crashing) run now, optionally re-pinned to another package version
// after its history replays there without divergence.
import type { Clock } from '../../clock/index.js';
import { AionError } from '../../core/index.js';
import type { WorkflowThread } from '../../runtime/index.js';
import type { Store } from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { PackageRegistry } from '../package-registry.js';
import type { RunResolver } from '../read/index.js';
import type { RunScheduler } from '../scheduler/index.js';

/** Separates a stuck run's reason from the latest version refused for its re-pin. */
const REFUSED = '; not re-pinned: ';

export interface RetryOptions {
  runId?: string;
  version?: string;
}

export interface RetryServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: Clock;
  readonly registry: PackageRegistry;
  readonly thread: WorkflowThread;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
}

export class RetryService {
  readonly #d: RetryServiceDeps;

  constructor(deps: RetryServiceDeps) {
    this.#d = deps;
  }

  /**
   * With `version`, the history is first replay-checked against that version; if it replays
   * the run is re-pinned (WorkflowRepinned) and resumes there. A failed check throws
   * `nondeterminism` and changes nothing about a healthy run; a stuck run stays parked (since
   * when it was), its reason extended with the refused version and the divergence.
   */
  async retry(
    ns: string,
    workflowId: string,
    options: RetryOptions = {},
  ): Promise<{ repinned: boolean }> {
    this.#d.lifecycle.check();
    const routed = { namespace: ns, workflowId };
    if (this.#d.scheduler.isElsewhere(routed)) {
      return (await this.#d.scheduler.forward(routed, 'retry', [ns, workflowId, options])) as {
        repinned: boolean;
      };
    }
    const info = await this.#d.resolver.resolveOpen(
      { namespace: ns, workflowId, runId: options.runId },
      'retry',
    );
    const scheduler = this.#d.scheduler;
    const actor = scheduler.actor(info);
    const target = options.version ?? info.version;
    let repinned = false;
    if (target !== info.version) {
      await this.#d.registry.ensureLoaded(info.namespace, target);
      const events = await this.#d.store.readHistory(info);
      const key = `check\u0000${info.runId}`;
      const outcome = await this.#d.thread.replay(key, target, info, events);
      this.#d.thread.evict([key]);
      if (!outcome.ok) {
        const refusal = `does not replay on ${target.slice(0, 12)}: ${outcome.failure.message}`;
        // A healthy run is left exactly as it was; a stuck one stays parked, its reason
        // saying why it is stuck and that this version was refused.
        const stuck = actor.stuck ?? info.stuck;
        if (stuck) {
          const reason = `${stuck.reason.split(REFUSED)[0]}${REFUSED}${refusal}`;
          actor.stuck = { reason, since: stuck.since };
          actor.visibilityPatch = { stuck: actor.stuck };
          scheduler.markReady(actor);
        }
        throw new AionError('nondeterminism', `run ${info.runId} ${refusal}`, {
          runId: info.runId,
          version: target,
          failure: outcome.failure,
        });
      }
      await new Promise<void>((resolve, reject) => {
        scheduler.enqueue(info, {
          event: {
            type: 'WorkflowRepinned',
            fromVersion: info.version,
            toVersion: target,
            reason: 'replay-checked re-pin',
          },
          ack: { resolve, reject },
        });
      });
      repinned = true;
    }
    scheduler.unpark(scheduler.actor(info));
    return { repinned };
  }
}
