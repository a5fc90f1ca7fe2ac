import { hostname } from 'node:os';
import WebSocket from 'ws';
import { ActivityExecutor } from '../activity/executor.js';
import { consoleLogSink } from '../activity/log.js';
import type { ActivityInfo, AttemptHandle, AttemptOutcome, LogSink } from '../activity/types.js';
import { RealClock } from '../clock/index.js';
import { AionError, ERROR_CODES, type ErrorCode } from '../core/index.js';
import {
  WORKER_PROTOCOL_PATH,
  frameText,
  parseServerFrame,
  type ResultFrame,
  type ServerFrame,
  type TaskFrame,
  type WorkerFrame,
} from '../protocol/worker.js';
import { reconnectDelay } from './backoff.js';
import type { WorkerOptions, WorkerState } from './types.js';

interface Running {
  readonly handle: AttemptHandle;
  readonly heartbeatEveryMs: number;
  lastHeartbeatSentAt: number;
  pendingHeartbeat: { details: unknown } | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
}

const positiveInt = (value: number | undefined, fallback: number, field: string): number => {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new AionError('invalid_argument', `${field} must be an integer >= 1 (got ${String(v)})`, {
      field,
    });
  }
  return v;
};

/**
 * A remote worker: connects to an Aion server over WebSocket, registers the activities it
 * implements for one task queue, and runs the attempts the server dispatches with the same
 * activity `Context` as in-process activities (heartbeats, cancellation signal, info).
 * Reconnects with jittered exponential backoff; results are re-reported until acknowledged.
 *
 * @example
 * import { Worker } from 'aion/worker';
 * const worker = await Worker.create({
 *   connection: { address: 'http://127.0.0.1:7233', apiKey: process.env.AION_API_KEY },
 *   taskQueue: 'payments',
 *   activities: { charge },
 * });
 * process.on('SIGTERM', () => void worker.shutdown());
 * await worker.run();
 */
export class Worker {
  readonly identity: string;
  readonly #options: WorkerOptions;
  readonly #url: string;
  readonly #maxConcurrent: number;
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  readonly #executor: ActivityExecutor;
  readonly #log: LogSink;
  readonly #clock = new RealClock();
  readonly #running = new Map<string, Running>();
  /** Results not yet acknowledged by the server, by task token (re-sent after reconnect). */
  readonly #unacked = new Map<string, ResultFrame>();
  #ws: WebSocket | undefined;
  #registered = false;
  #serverDraining = false;
  #state: WorkerState = 'idle';
  #run: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  #wakeSleep: (() => void) | undefined;
  #ackWaiters: (() => void)[] = [];

  private constructor(options: WorkerOptions) {
    if (typeof options.taskQueue !== 'string' || options.taskQueue.length === 0) {
      throw new AionError('invalid_argument', 'taskQueue must be a non-empty string', {
        field: 'taskQueue',
      });
    }
    const types = Object.keys(options.activities ?? {});
    if (types.length === 0) {
      throw new AionError(
        'invalid_argument',
        'activities must name at least one activity function ({ name: fn })',
        { field: 'activities' },
      );
    }
    this.#options = options;
    this.#url = toWorkerUrl(options.connection?.address);
    this.#maxConcurrent = positiveInt(
      options.maxConcurrentActivities,
      100,
      'maxConcurrentActivities',
    );
    this.#initialDelay = positiveInt(
      options.reconnect?.initialDelayMs,
      100,
      'reconnect.initialDelayMs',
    );
    this.#maxDelay = positiveInt(options.reconnect?.maxDelayMs, 10_000, 'reconnect.maxDelayMs');
    this.identity = options.identity ?? `${hostname()}:${process.pid}`;
    this.#log = options.logger ?? consoleLogSink;
    this.#executor = new ActivityExecutor({
      activities: options.activities,
      clock: this.#clock,
      maxConcurrent: this.#maxConcurrent,
      onHeartbeat: (info, details) => this.#heartbeat(info, details),
      logger: this.#log,
      ...(options.interceptors ? { interceptors: options.interceptors } : {}),
    });
  }

  /** Validates the options and creates a worker (it connects on {@link run}). */
  static create(options: WorkerOptions): Promise<Worker> {
    return Promise.resolve(new Worker(options));
  }

  get state(): WorkerState {
    return this.#state;
  }

  /**
   * Connects and serves tasks until {@link shutdown} completes. Rejects with `unauthenticated`
   * or `permission_denied` when the server refuses the API key (no point retrying).
   */
  run(): Promise<void> {
    this.#run ??= this.#loop();
    return this.#run;
  }

  /**
   * Graceful shutdown: asks the server for no more tasks, lets in-flight attempts finish (up
   * to `shutdownGraceMs`, then cancels them), reports their results and waits for the acks
   * (up to `ackTimeoutMs`), then closes. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    if (this.#state !== 'stopped') this.#state = 'draining';
    this.#send({ type: 'drain' });
    await this.#executor.shutdown({
      graceful: true,
      timeoutMs: this.#options.shutdownGraceMs ?? 30_000,
    });
    await new Promise((r) => setImmediate(r)); // outcomes are reported on the next turns
    if (this.#run !== undefined && this.#unacked.size > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.#ackWaiters.push(resolve)),
        new Promise((r) => setTimeout(r, this.#options.ackTimeoutMs ?? 10_000).unref()),
      ]);
    }
    this.#state = 'stopped';
    this.#wakeSleep?.();
    this.#ws?.close(1000, 'worker shut down');
    await this.#run?.catch(() => undefined);
  }

  // ── connection ──────────────────────────────────────────────────────────────────────────

  async #loop(): Promise<void> {
    let failures = 0;
    while (this.#state !== 'stopped') {
      if (this.#state === 'idle') this.#state = 'connecting';
      const { registered, fatal } = await this.#connectOnce();
      if (fatal) {
        this.#state = 'stopped';
        throw fatal;
      }
      if ((this.#state as WorkerState) === 'stopped') break;
      failures = registered ? 0 : failures + 1;
      const delay = reconnectDelay(failures, this.#initialDelay, this.#maxDelay);
      this.#write('info', `disconnected; reconnecting in ${delay} ms`, { failures });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wakeSleep = undefined;
    }
  }

  #connectOnce(): Promise<{ registered: boolean; fatal?: Error }> {
    const apiKey = this.#options.connection.apiKey;
    const ws = new WebSocket(this.#url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      handshakeTimeout: 10_000,
    });
    this.#ws = ws;
    let registered = false;
    let fatal: Error | undefined;
    return new Promise((resolve) => {
      ws.on('open', () => {
        this.#sendOn(ws, {
          type: 'register',
          ...(this.#options.namespace !== undefined ? { namespace: this.#options.namespace } : {}),
          taskQueue: this.#options.taskQueue,
          activityTypes: Object.keys(this.#options.activities),
          identity: this.identity,
          maxConcurrent: this.#maxConcurrent,
        });
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) {
            const parsed = parseErrorBody(body);
            fatal = new AionError(
              parsed?.code ?? (status === 401 ? 'unauthenticated' : 'permission_denied'),
              `the server refused this worker (HTTP ${status}): ${parsed?.message ?? body}`,
            );
          }
          ws.terminate();
        });
      });
      ws.on('message', (data) => {
        let frame: ServerFrame;
        try {
          frame = parseServerFrame(frameText(data));
        } catch (err) {
          this.#write('warn', 'ignored a malformed server frame', { error: String(err) });
          return;
        }
        if (frame.type === 'registered') {
          registered = true;
          this.#onRegistered();
          return;
        }
        this.#onFrame(frame);
      });
      ws.on('error', (err) => {
        this.#write('debug', 'connection error', { error: err.message });
      });
      ws.on('close', () => {
        if (this.#ws === ws) {
          this.#ws = undefined;
          this.#registered = false;
        }
        resolve(fatal ? { registered, fatal } : { registered });
      });
    });
  }

  #onRegistered(): void {
    this.#registered = true;
    this.#serverDraining = false;
    if (this.#state === 'connecting') this.#state = 'running';
    this.#write('info', 'registered', { taskQueue: this.#options.taskQueue });
    if (this.#state === 'draining') this.#send({ type: 'drain' });
    for (const frame of this.#unacked.values()) this.#send(frame); // re-report until acknowledged
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'task':
        this.#onTask(frame);
        return;
      case 'cancel':
        this.#running.get(frame.taskToken)?.handle.cancel(frame.reason);
        return;
      case 'heartbeat_ack':
        if (frame.cancelRequested) {
          this.#running.get(frame.taskToken)?.handle.cancel('cancellation requested by the server');
        }
        return;
      case 'ack':
        this.#unacked.delete(frame.taskToken);
        if (this.#unacked.size === 0) for (const wake of this.#ackWaiters.splice(0)) wake();
        return;
      case 'drain':
        this.#serverDraining = true;
        this.#write('info', 'server is draining: no new tasks on this connection', {
          reason: frame.reason,
        });
        return;
      case 'error':
        this.#write('warn', `server refused a frame: ${frame.message}`, {
          code: frame.code,
          ...(frame.taskToken !== undefined ? { taskToken: frame.taskToken } : {}),
        });
        return;
      case 'registered':
        return;
    }
  }

  #send(frame: WorkerFrame): void {
    if (this.#ws && this.#registered) this.#sendOn(this.#ws, frame);
  }

  #sendOn(ws: WebSocket, frame: WorkerFrame): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  // ── attempts ────────────────────────────────────────────────────────────────────────────

  #onTask(task: TaskFrame): void {
    if (this.#running.has(task.taskToken) || this.#unacked.has(task.taskToken)) return;
    if (this.#state === 'draining' || this.#state === 'stopped' || this.#serverDraining) {
      this.#report(task.taskToken, {
        type: 'failed',
        failure: {
          type: 'WorkerShutdown',
          message: `worker ${this.identity} is shutting down and did not start the attempt`,
          retryable: true,
        },
      });
      return;
    }
    const info: ActivityInfo = {
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
      workflowType: task.workflowType,
      activityId: task.activityId,
      activityType: task.activityType,
      taskQueue: task.taskQueue,
      attempt: task.attempt,
      taskToken: task.taskToken,
      scheduledTime: task.scheduledTime,
      startedTime: task.startedTime,
      deadline: undefined,
      heartbeatTimeoutMs: task.heartbeatTimeoutMs,
      heartbeatDetails: task.heartbeatDetails,
      headers: task.headers ?? {},
      isLocal: false,
    };
    let handle: AttemptHandle;
    try {
      handle = this.#executor.execute({
        info,
        args: task.args,
        options: {
          taskQueue: task.taskQueue,
          ...(task.startToCloseTimeoutMs !== undefined
            ? { startToCloseTimeoutMs: task.startToCloseTimeoutMs }
            : {}),
          ...(task.scheduleToCloseTimeoutMs !== undefined
            ? { scheduleToCloseTimeoutMs: task.scheduleToCloseTimeoutMs }
            : {}),
          ...(task.heartbeatTimeoutMs !== undefined
            ? { heartbeatTimeoutMs: task.heartbeatTimeoutMs }
            : {}),
        },
      });
    } catch (err) {
      this.#report(task.taskToken, {
        type: 'failed',
        failure: { type: 'WorkerShutdown', message: (err as Error).message, retryable: true },
      });
      return;
    }
    const hb = task.heartbeatTimeoutMs;
    const running: Running = {
      handle,
      // Several heartbeats per timeout window, at most one a second.
      heartbeatEveryMs: Math.max(10, Math.min(1000, Math.floor((hb ?? 3000) / 3))),
      lastHeartbeatSentAt: 0,
      pendingHeartbeat: undefined,
      heartbeatTimer: undefined,
    };
    this.#running.set(task.taskToken, running);
    void handle.outcome.then((outcome) => {
      if (running.heartbeatTimer) clearTimeout(running.heartbeatTimer);
      this.#running.delete(task.taskToken);
      this.#report(task.taskToken, outcome);
    });
  }

  /** Throttled: the latest details are sent at most every `heartbeatEveryMs`. */
  #heartbeat(info: ActivityInfo, details: unknown): void {
    const running = this.#running.get(info.taskToken);
    if (!running) return;
    const now = Date.now();
    const wait = running.lastHeartbeatSentAt + running.heartbeatEveryMs - now;
    if (wait <= 0 && running.heartbeatTimer === undefined) {
      running.lastHeartbeatSentAt = now;
      this.#send({ type: 'heartbeat', taskToken: info.taskToken, details: jsonSafe(details) });
      return;
    }
    running.pendingHeartbeat = { details };
    running.heartbeatTimer ??= setTimeout(
      () => {
        running.heartbeatTimer = undefined;
        const pending = running.pendingHeartbeat;
        running.pendingHeartbeat = undefined;
        if (pending === undefined || !this.#running.has(info.taskToken)) return;
        running.lastHeartbeatSentAt = Date.now();
        this.#send({
          type: 'heartbeat',
          taskToken: info.taskToken,
          details: jsonSafe(pending.details),
        });
      },
      Math.max(0, wait),
    );
  }

  #report(taskToken: string, outcome: AttemptOutcome): void {
    const frame = resultFrame(taskToken, outcome);
    this.#unacked.set(taskToken, frame);
    this.#send(frame);
  }

  #write(
    level: 'debug' | 'info' | 'warn',
    message: string,
    attributes: Record<string, unknown>,
  ): void {
    try {
      this.#log({
        level,
        message: `worker: ${message}`,
        time: Date.now(),
        attributes: { identity: this.identity, ...attributes },
      });
    } catch {
      // Logging never breaks the worker.
    }
  }
}

/** The result frame of an outcome. Values that JSON cannot carry fail the attempt for good. */
function resultFrame(taskToken: string, outcome: AttemptOutcome): ResultFrame {
  switch (outcome.type) {
    case 'completed': {
      try {
        if (outcome.result !== undefined) JSON.stringify(outcome.result);
      } catch (err) {
        return {
          type: 'result',
          taskToken,
          status: 'failed',
          failure: {
            type: 'PayloadEncodeError',
            message: `the activity result cannot be sent as JSON: ${(err as Error).message}`,
            retryable: false,
          },
        };
      }
      return {
        type: 'result',
        taskToken,
        status: 'completed',
        ...(outcome.result !== undefined ? { value: outcome.result } : {}),
      };
    }
    case 'failed':
    case 'timed_out':
      return { type: 'result', taskToken, status: 'failed', failure: outcome.failure };
    case 'cancelled':
      if (outcome.shutdown === true) {
        return {
          type: 'result',
          taskToken,
          status: 'failed',
          failure: {
            type: 'WorkerShutdown',
            message: 'the worker shut down before the attempt finished',
            retryable: true,
            cause: outcome.failure,
          },
        };
      }
      return { type: 'result', taskToken, status: 'cancelled', failure: outcome.failure };
    case 'async':
      return {
        type: 'result',
        taskToken,
        status: 'failed',
        failure: {
          type: 'CompleteAsyncNotSupported',
          message:
            'asynchronous completion (CompleteAsyncError) is not supported on remote workers yet; return the result instead',
          retryable: false,
        },
      };
  }
}

function jsonSafe(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return undefined;
  }
}

function parseErrorBody(body: string): { code: ErrorCode; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (
      typeof parsed.code === 'string' &&
      Object.hasOwn(ERROR_CODES, parsed.code) &&
      typeof parsed.message === 'string'
    ) {
      return { code: parsed.code as ErrorCode, message: parsed.message };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

function toWorkerUrl(address: unknown): string {
  if (typeof address !== 'string' || address.length === 0) {
    throw new AionError(
      'invalid_argument',
      'connection.address must be the server URL, e.g. "http://127.0.0.1:7233"',
      { field: 'connection.address' },
    );
  }
  let url: URL;
  try {
    url = new URL(address.includes('://') ? address : `http://${address}`);
  } catch {
    throw new AionError(
      'invalid_argument',
      `connection.address ${JSON.stringify(address)} is not a URL; use e.g. "http://127.0.0.1:7233"`,
      { field: 'connection.address' },
    );
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new AionError(
      'invalid_argument',
      `connection.address must use http, https, ws or wss (got ${url.protocol})`,
      { field: 'connection.address' },
    );
  }
  url.pathname = `${url.pathname.replace(/\/$/, '')}${WORKER_PROTOCOL_PATH}`;
  return url.toString();
}
