// Remote workers connected to this engine (the server's worker endpoint): one dispatcher per
// namespace, created on the first connection.
import { AionError, validateNamespace } from '../../core/index.js';
import type { NamespacesInUse } from '../namespaces/index.js';
import type {
  RemoteActivities,
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSession,
  WorkerSink,
  WorkerSnapshot,
} from '../remote-activities/index.js';
import type { Lifecycle } from '../lifecycle.js';

export class RemoteWorkers {
  readonly #remotes = new Map<string, RemoteActivities>();
  readonly #make: (namespace: string) => RemoteActivities;
  readonly #lifecycle: Lifecycle;
  readonly #namespaces: NamespacesInUse;

  constructor(
    make: (namespace: string) => RemoteActivities,
    lifecycle: Lifecycle,
    namespaces: NamespacesInUse,
  ) {
    this.#make = make;
    this.#lifecycle = lifecycle;
    this.#namespaces = namespaces;
  }

  /** The dispatcher of a namespace, if any worker ever connected to it. */
  of(namespace: string): RemoteActivities | undefined {
    return this.#remotes.get(namespace);
  }

  connect(registration: WorkerRegistration, sink: WorkerSink): WorkerSession {
    if (this.#lifecycle.closed) throw new AionError('unavailable', 'the engine is shutting down');
    const ns = validateNamespace(registration.namespace);
    let remote = this.#remotes.get(ns);
    if (!remote) {
      remote = this.#make(ns);
      this.#remotes.set(ns, remote);
      this.#namespaces.use(ns);
    }
    return remote.connect(registration, sink);
  }

  async snapshot(
    namespace: string,
  ): Promise<{ workers: WorkerSnapshot[]; taskQueues: TaskQueueSnapshot[] }> {
    const remote = this.#remotes.get(namespace);
    return remote ? remote.snapshot() : { workers: [], taskQueues: [] };
  }

  stop(): void {
    for (const remote of this.#remotes.values()) remote.stop();
  }
}
