/**
 * One remote worker's WebSocket: validates its frames, registers it with the engine, relays
 * tasks, cancellations and drains to it, and acknowledges results only once the engine has
 * made them durable. A dropped connection fails the worker's in-flight attempts at once.
 */
import type { WebSocket } from 'ws';
import { AionError, isAionError } from '../core/index.js';
import type { Counter, RemoteOutcome, WorkerSession } from '../engine/index.js';
import {
  FrameSender,
  frameText,
  parseWorkerMessage,
  type ServerFrame,
  type WorkerFrame,
} from '../protocol/index.js';
import type { ServerContext } from './context.js';
import type { Principal } from './auth.js';
import { WorkerPayloads } from './worker-payloads.js';

/** Malformed or out-of-order frames tolerated before the socket is closed (1008). */
export const MAX_FRAME_ERRORS = 5;
/** A peer that does not answer a ping within this window is dropped (half-open TCP). */
const PING_INTERVAL_MS = 15_000;

/** Messages and frames of the worker protocol, by direction (`in` from workers, `out` to them). */
export interface WorkerWireMetrics {
  readonly messages: Counter;
  readonly frames: Counter;
}

const IN = { direction: 'in' } as const;
const OUT = { direction: 'out' } as const;

export class WorkerConnection {
  readonly #socket: WebSocket;
  readonly #ctx: ServerContext;
  readonly #principal: Principal;
  readonly #peer: string;
  #session: WorkerSession | undefined;
  /** Set when the worker registered with `payloads: 'encoded'`. */
  #payloads: WorkerPayloads | undefined;
  #identity = '';
  #namespace: string | undefined;
  #errors = 0;
  #alive = true;
  #ping: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;
  readonly #wire: WorkerWireMetrics;
  /** Frames to the worker: one per message, or batched once the worker agreed to batches. */
  readonly #out: FrameSender;

  constructor(
    socket: WebSocket,
    ctx: ServerContext,
    principal: Principal,
    peer: string,
    wire: WorkerWireMetrics,
  ) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#principal = principal;
    this.#peer = peer;
    this.#wire = wire;
    this.#out = new FrameSender((text, frames) => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(text);
      wire.messages.inc(1, OUT);
      wire.frames.inc(frames, OUT);
    });
  }

  start(): void {
    const socket = this.#socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.#refuse(
          new AionError('invalid_argument', 'binary frames are not supported; send JSON text'),
        );
        return;
      }
      this.#onText(frameText(data));
    });
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('close', (code) => this.#onClose(`connection closed (${code})`));
    socket.on('error', () => undefined); // 'close' follows
    this.#ping = setInterval(() => {
      if (!this.#alive) {
        socket.terminate();
        return;
      }
      this.#alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    this.#ping.unref();
    this.#unwatch = this.#ctx.auth.sockets.watch(this.#principal, (reason, message) =>
      this.#credentialsEnded(reason, message),
    );
  }

  /**
   * The key the worker connected with was revoked or expired: it gets no further task, the
   * attempts it holds are failed as for any dropped connection, and the socket closes (1008).
   */
  #credentialsEnded(reason: string, message: string): void {
    this.#send({ type: 'error', code: 'unauthenticated', message });
    this.#ctx.logger.warn('closing worker connection: its API key ended', {
      identity: this.#identity,
      principal: this.#principal.subject,
      reason,
    });
    this.#onClose(`connection closed (${reason})`);
    this.#close(1008, reason);
  }

  /** The server drains: no new tasks for this worker; it should finish and report in-flight ones. */
  drain(reason: string): void {
    this.#session?.drain();
    this.#send({ type: 'drain', reason });
  }

  #send(frame: ServerFrame): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    this.#out.push(frame);
  }

  /** Closes the socket after the frames still queued for it (e.g. the error saying why). */
  #close(code: number, reason: string): void {
    this.#out.flush();
    this.#socket.close(code, reason);
  }

  #refuse(error: unknown, taskToken?: string): void {
    const e = isAionError(error)
      ? error
      : new AionError('internal', `worker frame failed: ${String((error as Error).message)}`);
    this.#send({
      type: 'error',
      code: e.code,
      message: e.message,
      ...(taskToken !== undefined ? { taskToken } : {}),
    });
    if (e.code === 'task_token_invalid' || e.code === 'not_task_holder') {
      // A report about an attempt this session does not hold: in the audit trail.
      this.#ctx.audit.refused({
        subject: this.#principal.subject,
        action: 'activity.report',
        ...(this.#namespace !== undefined ? { namespace: this.#namespace } : {}),
        code: e.code,
      });
    }
    if (e.code === 'invalid_argument' || e.code === 'invalid_state') {
      this.#errors++;
      if (this.#errors >= MAX_FRAME_ERRORS) {
        this.#ctx.logger.warn('closing worker connection after repeated malformed frames', {
          identity: this.#identity,
          principal: this.#principal.subject,
        });
        this.#close(1008, 'too many malformed frames');
      }
    }
  }

  /** A message: one frame, or a batch whose frames are handled in order, each on its own. */
  #onText(text: string): void {
    this.#wire.messages.inc(1, IN);
    let frames: (WorkerFrame | AionError)[];
    try {
      frames = parseWorkerMessage(text);
    } catch (err) {
      this.#wire.frames.inc(1, IN);
      this.#refuse(err);
      return;
    }
    this.#wire.frames.inc(frames.length, IN);
    for (const frame of frames) {
      // Closed for repeated malformed frames (or by the peer): the rest of the batch is moot.
      if (this.#socket.readyState !== this.#socket.OPEN) return;
      if (frame instanceof AionError) this.#refuse(frame);
      else this.#onFrame(frame);
    }
  }

  #onFrame(frame: WorkerFrame): void {
    if (frame.type === 'register') {
      this.#register(frame);
      return;
    }
    const session = this.#session;
    if (session === undefined) {
      this.#refuse(new AionError('invalid_state', `send "register" before "${frame.type}" frames`));
      return;
    }
    switch (frame.type) {
      case 'heartbeat': {
        try {
          const details = this.#payloads ? this.#payloads.detailsIn(frame.details) : frame.details;
          const { cancelRequested } = session.heartbeat(frame.taskToken, details);
          this.#send({ type: 'heartbeat_ack', taskToken: frame.taskToken, cancelRequested });
        } catch (err) {
          this.#refuse(err, frame.taskToken);
        }
        return;
      }
      case 'result': {
        const received: RemoteOutcome =
          frame.status === 'completed'
            ? { type: 'completed', result: frame.value }
            : frame.status === 'failed'
              ? { type: 'failed', failure: frame.failure }
              : { type: 'cancelled', ...(frame.failure ? { failure: frame.failure } : {}) };
        const outcome = this.#payloads?.outcomeIn(received) ?? received;
        const taskToken = frame.taskToken;
        let pending: Promise<'accepted' | 'duplicate' | 'stale'>;
        try {
          pending = session.result(taskToken, outcome);
        } catch (err) {
          this.#refuse(err, taskToken);
          return;
        }
        pending.then(
          (status) => this.#send({ type: 'ack', taskToken, status }),
          (err: unknown) => this.#refuse(err, taskToken),
        );
        return;
      }
      case 'drain':
        session.drain();
        return;
    }
  }

  #register(frame: WorkerFrame & { type: 'register' }): void {
    if (this.#session !== undefined) {
      this.#refuse(new AionError('invalid_state', 'this connection is already registered'));
      return;
    }
    const identity = frame.identity ?? `worker@${this.#peer}`;
    try {
      const namespace = this.#ctx.namespace(frame.namespace ?? 'default');
      this.#ctx.auth.require(this.#principal, 'worker', 'connect a remote worker', namespace);
      this.#namespace = namespace;
      const wire =
        frame.payloads === 'encoded'
          ? new WorkerPayloads(this.#ctx.engine.payloadCodecs)
          : undefined;
      this.#payloads = wire;
      this.#session = this.#ctx.engine.connectWorker(
        {
          namespace,
          taskQueue: frame.taskQueue,
          activityTypes: frame.activityTypes,
          identity,
          maxConcurrent: frame.maxConcurrent,
        },
        {
          task: (task) => this.#send({ type: 'task', ...(wire ? wire.taskOut(task) : task) }),
          cancel: (taskToken, reason) => this.#send({ type: 'cancel', taskToken, reason }),
        },
      );
    } catch (err) {
      this.#refuse(err);
      this.#close(1008, 'registration refused');
      return;
    }
    this.#identity = identity;
    const batching = frame.batching === true;
    this.#send({
      type: 'registered',
      workerId: this.#session.id,
      namespace: frame.namespace ?? 'default',
      taskQueue: frame.taskQueue,
      identity,
      ...(batching ? { batching: true, maxMessageBytes: this.#ctx.config.maxBodyBytes } : {}),
    });
    // After `registered` (sent alone): a worker that did not ask keeps one frame per message.
    if (batching) this.#out.enable();
    this.#ctx.logger.info('worker registered', {
      workerId: this.#session.id,
      identity,
      taskQueue: frame.taskQueue,
      activityTypes: frame.activityTypes,
    });
    if (this.#ctx.draining()) this.drain('the server is draining');
  }

  #onClose(reason: string): void {
    if (this.#ping) clearInterval(this.#ping);
    this.#unwatch?.();
    if (this.#session === undefined) return;
    this.#session.close(reason);
    this.#ctx.logger.info('worker disconnected', { workerId: this.#session.id, reason });
    this.#session = undefined;
  }
}
