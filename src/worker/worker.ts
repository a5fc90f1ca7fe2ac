// The remote `Worker`: its public lifecycle (create, run, shutdown, state), wiring the
// connection, the running attempts and the pending results together.
import type { ServerFrame, TaskFrame, WorkerFrame } from '../protocol/index.js';
import { Attempts } from './attempts.js';
import { WorkerConnection } from './connection.js';
import { workerLog, type WorkerLog } from './log.js';
import { resolveOptions } from './options.js';
import { PendingResults } from './results.js';
import type { WorkerOptions, WorkerState } from './types.js';
import { WireCodec } from './wire-codec.js';

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
  readonly #log: WorkerLog;
  readonly #attempts: Attempts;
  readonly #results: PendingResults;
  readonly #connection: WorkerConnection;
  readonly #wire: WireCodec;
  #serverDraining = false;
  #state: WorkerState = 'idle';
  #run: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;

  private constructor(options: WorkerOptions) {
    const resolved = resolveOptions(options);
    this.#options = options;
    this.identity = resolved.identity;
    this.#log = workerLog(resolved.logger, this.identity);
    this.#wire = new WireCodec(options.payloadCodecs);
    this.#results = new PendingResults((frame) => this.#send(frame));
    this.#attempts = new Attempts({
      activities: options.activities,
      maxConcurrent: resolved.maxConcurrent,
      logger: resolved.logger,
      interceptors: options.interceptors,
      identity: this.identity,
      accepting: () =>
        !(this.#state === 'draining' || this.#state === 'stopped' || this.#serverDraining),
      results: this.#results,
      send: (frame) => this.#send(frame),
    });
    this.#connection = new WorkerConnection({
      url: resolved.url,
      connection: options.connection,
      initialDelayMs: resolved.initialDelayMs,
      maxDelayMs: resolved.maxDelayMs,
      log: this.#log,
      register: () => ({
        type: 'register',
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
        taskQueue: options.taskQueue,
        activityTypes: Object.keys(options.activities),
        identity: this.identity,
        maxConcurrent: resolved.maxConcurrent,
        ...(this.#wire.encoded ? { payloads: 'encoded' as const } : {}),
        batching: true,
      }),
      onRegistered: () => this.#onRegistered(),
      onFrame: (frame) => this.#onFrame(frame),
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
    this.#run ??= this.#connection.run({
      connecting: () => {
        if (this.#state === 'idle') this.#state = 'connecting';
      },
      stopped: () => this.#state === 'stopped',
      refused: () => {
        this.#state = 'stopped';
      },
    });
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
    this.#connection.send({ type: 'drain' });
    await this.#attempts.shutdown(this.#options.shutdownGraceMs ?? 30_000);
    await new Promise((r) => setImmediate(r)); // outcomes are reported on the next turns
    if (this.#run !== undefined && this.#results.size > 0) {
      await Promise.race([
        this.#results.acknowledged(),
        new Promise((r) => setTimeout(r, this.#options.ackTimeoutMs ?? 10_000).unref()),
      ]);
    }
    this.#state = 'stopped';
    this.#connection.wake();
    this.#connection.close(1000, 'worker shut down');
    await this.#run?.catch(() => undefined);
  }

  #send(frame: WorkerFrame): void {
    this.#connection.send(this.#wire.frameOut(frame));
  }

  /** Runs a task; one whose arguments do not decode fails (retryable) without running. */
  #startTask(frame: TaskFrame): void {
    let task: TaskFrame;
    try {
      task = this.#wire.taskIn(frame);
    } catch (err) {
      if (this.#results.has(frame.taskToken)) return;
      this.#results.report(frame.taskToken, {
        type: 'failed',
        failure: {
          type: 'PayloadDecodeError',
          message: `worker ${this.identity} cannot decode the task's payloads: ${(err as Error).message}`,
          retryable: true,
        },
      });
      return;
    }
    this.#attempts.start(task);
  }

  #onRegistered(): void {
    this.#serverDraining = false;
    if (this.#state === 'connecting') this.#state = 'running';
    this.#log('info', 'registered', { taskQueue: this.#options.taskQueue });
    if (this.#state === 'draining') this.#connection.send({ type: 'drain' });
    this.#results.resend(); // re-report until acknowledged
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'task':
        this.#startTask(frame);
        return;
      case 'cancel':
        this.#attempts.cancel(frame.taskToken, frame.reason);
        return;
      case 'heartbeat_ack':
        if (frame.cancelRequested) {
          this.#attempts.cancel(frame.taskToken, 'cancellation requested by the server');
        }
        return;
      case 'ack':
        this.#results.ack(frame.taskToken);
        return;
      case 'drain':
        this.#serverDraining = true;
        this.#log('info', 'server is draining: no new tasks on this connection', {
          reason: frame.reason,
        });
        return;
      case 'error':
        this.#log('warn', `server refused a frame: ${frame.message}`, {
          code: frame.code,
          ...(frame.taskToken !== undefined ? { taskToken: frame.taskToken } : {}),
        });
        return;
      case 'registered':
        return;
    }
  }
}
