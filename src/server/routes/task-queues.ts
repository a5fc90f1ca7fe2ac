// `GET {ns}/task-queues`: every task queue of a namespace with its stored task counts, its
// dispatch state and the workers serving it — remote workers connected to this server and the
// server's own. `GET {ns}/workers` is its older alias: the same listing in the shape it always
// had (remote workers only).
import type { FastifyInstance } from 'fastify';
import {
  workersListing,
  type TaskQueueInfo,
  type TaskQueueListing,
  type TaskQueueWorkerInfo,
} from '../../core/index.js';
import type { EmbeddedWorkerSnapshot, WorkerSnapshot } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { read, type Params } from './common.js';

/** The internal queue of local activities (always the engine's own): not listed. */
const LOCAL_QUEUE = '__aion_local';

function remote(w: WorkerSnapshot): TaskQueueWorkerInfo {
  return {
    id: w.id,
    identity: w.identity,
    connectedAt: new Date(w.connectedAt).toISOString(),
    activityTypes: [...w.activityTypes],
    maxConcurrent: w.maxConcurrent,
    inFlight: w.inFlight,
    draining: w.draining,
    embedded: false,
  };
}

function embedded(w: EmbeddedWorkerSnapshot, draining: boolean): TaskQueueWorkerInfo {
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

/** The task queues of `namespace`: stored task counts, dispatch state and workers. */
export async function listTaskQueues(
  ctx: ServerContext,
  namespace: string,
): Promise<TaskQueueListing> {
  const { engine } = ctx;
  // Counts as the metrics read them: from the store, as of now.
  const [{ workers, taskQueues: dispatch }, stats] = await Promise.all([
    engine.workers(namespace),
    engine.store.taskQueueStats(namespace, engine.clock.now()),
  ]);
  const byQueue = new Map<string, TaskQueueWorkerInfo[]>();
  const add = (queue: string, worker: TaskQueueWorkerInfo): void => {
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), worker]);
  };
  // The engine serves its own queue in every namespace it serves.
  const own = engine.embeddedWorker();
  if (own) add(own.taskQueue, embedded(own, ctx.draining()));
  for (const w of workers) if (w.namespace === namespace) add(w.taskQueue, remote(w));
  const names = new Set([
    ...byQueue.keys(),
    ...dispatch.map((q) => q.name),
    ...stats.map((q) => q.taskQueue),
  ]);
  names.delete(LOCAL_QUEUE);
  return {
    namespace,
    taskQueues: [...names].sort().map((name): TaskQueueInfo => {
      const counts = stats.find((q) => q.taskQueue === name);
      const { name: _name, ...state } = dispatch.find((q) => q.name === name) ?? { name };
      return {
        name,
        backlog: counts?.backlog ?? 0,
        running: counts?.running ?? 0,
        scheduled: counts?.scheduled ?? 0,
        ...state,
        workers: byQueue.get(name) ?? [],
      };
    }),
  };
}

export function taskQueueRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: Params }>(
    '/api/v1/namespaces/:namespace/task-queues',
    read<{ Params: Params }>(ctx, 'taskQueue.list', (req) =>
      listTaskQueues(ctx, ctx.namespace(req.params.namespace)),
    ),
  );
  // The older listing (`aion workers` before it read the one above): kept for its clients.
  app.get<{ Params: Params }>(
    '/api/v1/namespaces/:namespace/workers',
    read<{ Params: Params }>(ctx, 'list workers', async (req) =>
      workersListing(await listTaskQueues(ctx, ctx.namespace(req.params.namespace))),
    ),
  );
}
