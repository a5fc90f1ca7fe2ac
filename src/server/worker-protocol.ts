/**
 * The remote worker endpoint: `GET /api/v1/worker` (WebSocket, permission `worker`). Frames
 * and semantics: docs/workers.md. The workers are listed by `GET {ns}/task-queues`
 * (routes/task-queues.ts).
 */
import { AionError } from '../core/index.js';
import { WORKER_PROTOCOL_PATH } from '../protocol/index.js';
import type { ServerPlugin } from './context.js';
import { WorkerConnection, type WorkerWireMetrics } from './worker-connection.js';

/** Mounts the worker protocol. Part of `DEFAULT_PLUGINS`. */
export const workerProtocol: ServerPlugin = (app, ctx) => {
  const connections = new Set<WorkerConnection>();
  const wire: WorkerWireMetrics = {
    messages: ctx.metrics.counter(
      'aion_worker_messages_total',
      'WebSocket messages of the remote worker protocol (a batch of frames is one message)',
      ['direction'],
    ),
    frames: ctx.metrics.counter(
      'aion_worker_frames_total',
      'Frames of the remote worker protocol, single or in batches',
      ['direction'],
    ),
  };

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
      const conn = new WorkerConnection(socket, ctx, principal, request.ip, wire);
      connections.add(conn);
      socket.on('close', () => connections.delete(conn));
      conn.start();
    },
  );
};
