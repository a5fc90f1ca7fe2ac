/**
 * The remote worker endpoint: `GET /api/v1/worker` (WebSocket, permission `worker`) and the
 * listing `GET /api/v1/namespaces/:namespace/workers` (permission `read`). Frames and
 * semantics: docs/workers.md.
 */
import { AionError } from '../core/index.js';
import { WORKER_PROTOCOL_PATH } from '../protocol/index.js';
import type { ServerPlugin } from './context.js';
import { WorkerConnection } from './worker-connection.js';

/** Mounts the worker protocol. Part of `DEFAULT_PLUGINS`. */
export const workerProtocol: ServerPlugin = (app, ctx) => {
  const connections = new Set<WorkerConnection>();

  // Tell workers before the sockets close, so they stop taking tasks and reconnect later.
  app.addHook('preClose', (done) => {
    for (const c of connections) c.drain('the server is shutting down');
    done();
  });

  app.get(
    WORKER_PROTOCOL_PATH,
    {
      websocket: true,
      // Refused before the upgrade: the client sees the HTTP status (401, 403, 503).
      preValidation: (request, _reply, done) => {
        try {
          if (ctx.draining()) {
            throw new AionError(
              'unavailable',
              'the server is draining; connect to another node or retry later',
            );
          }
          ctx.authorize(request, 'worker', 'connect a remote worker');
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    },
    (socket, request) => {
      const principal = ctx.authorize(request, 'worker', 'connect a remote worker');
      const conn = new WorkerConnection(socket, ctx, principal, request.ip);
      connections.add(conn);
      socket.on('close', () => connections.delete(conn));
      conn.start();
    },
  );

  app.get<{ Params: { namespace: string } }>(
    '/api/v1/namespaces/:namespace/workers',
    async (request) => {
      ctx.authorize(request, 'read', 'list workers');
      const namespace = ctx.namespace(request.params.namespace);
      const [{ workers, taskQueues }, stats] = await Promise.all([
        ctx.engine.workers(namespace),
        ctx.engine.store.taskQueueStats(namespace, ctx.engine.clock.now()),
      ]);
      // Every queue with tasks or workers: dispatch state plus the stored task counts.
      const names = new Set([...taskQueues.map((q) => q.name), ...stats.map((q) => q.taskQueue)]);
      names.delete('__aion_local');
      return {
        namespace,
        workers: workers.filter((w) => w.namespace === namespace),
        taskQueues: [...names].sort().map((name) => {
          const dispatch = taskQueues.find((q) => q.name === name);
          const counts = stats.find((q) => q.taskQueue === name);
          return {
            ...(dispatch ?? { name }),
            backlog: counts?.backlog ?? 0,
            running: counts?.running ?? 0,
            scheduled: counts?.scheduled ?? 0,
          };
        }),
      };
    },
  );
};
