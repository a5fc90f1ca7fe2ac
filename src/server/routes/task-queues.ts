// `GET {ns}/task-queues`: every task queue of a namespace with its stored task counts and the
// workers serving it — remote workers connected to this server and the server's own.
import type { FastifyInstance } from 'fastify';
import type { EmbeddedWorkerSnapshot, WorkerSnapshot } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { read, type Params } from './common.js';

/** The internal queue of local activities (always the engine's own): not listed. */
const LOCAL_QUEUE = '__aion_local';

/** One worker of a task queue, as the API shows it. */
export interface TaskQueueWorker {
  readonly identity: string;
  /** ISO-8601. */
  readonly connectedAt: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  /** Finishing its attempts, taking no new ones. */
  readonly draining: boolean;
  /** The server's own worker (the activities it was started with), not a remote one. */
  readonly embedded: boolean;
}

/** One task queue: tasks claimable now (`backlog`), leased (`running`), due later. */
export interface TaskQueueView {
  readonly name: string;
  readonly backlog: number;
  readonly running: number;
  readonly scheduled: number;
  readonly workers: readonly TaskQueueWorker[];
}

function remote(w: WorkerSnapshot): TaskQueueWorker {
  return {
    identity: w.identity,
    connectedAt: new Date(w.connectedAt).toISOString(),
    activityTypes: [...w.activityTypes],
    maxConcurrent: w.maxConcurrent,
    inFlight: w.inFlight,
    draining: w.draining,
    embedded: false,
  };
}

function embedded(w: EmbeddedWorkerSnapshot, draining: boolean): TaskQueueWorker {
  return {
    identity: w.identity,
    connectedAt: new Date(w.connectedAt).toISOString(),
    activityTypes: [...w.activityTypes],
    maxConcurrent: w.maxConcurrent,
    inFlight: w.inFlight,
    draining,
    embedded: true,
  };
}

export function taskQueueRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: Params }>(
    '/api/v1/namespaces/:namespace/task-queues',
    read<{ Params: Params }>(ctx, 'taskQueue.list', async (req) => {
      const namespace = ctx.namespace(req.params.namespace);
      const { engine } = ctx;
      // Counts as the metrics read them: from the store, as of now.
      const [{ workers }, stats] = await Promise.all([
        engine.workers(namespace),
        engine.store.taskQueueStats(namespace, engine.clock.now()),
      ]);
      const byQueue = new Map<string, TaskQueueWorker[]>();
      const add = (queue: string, worker: TaskQueueWorker): void => {
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), worker]);
      };
      // The engine serves its own queue in every namespace it serves.
      const own = engine.embeddedWorker();
      if (own) add(own.taskQueue, embedded(own, ctx.draining()));
      for (const w of workers) if (w.namespace === namespace) add(w.taskQueue, remote(w));
      const names = new Set([...byQueue.keys(), ...stats.map((q) => q.taskQueue)]);
      names.delete(LOCAL_QUEUE);
      return {
        namespace,
        taskQueues: [...names].sort().map((name): TaskQueueView => {
          const counts = stats.find((q) => q.taskQueue === name);
          return {
            name,
            backlog: counts?.backlog ?? 0,
            running: counts?.running ?? 0,
            scheduled: counts?.scheduled ?? 0,
            workers: byQueue.get(name) ?? [],
          };
        }),
      };
    }),
  );
}
