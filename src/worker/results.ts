// Attempt results on their way to the server: the result frame of each outcome, kept and
// re-sent after every reconnect until the server acknowledges it.
// Not exported by the activity index (the public `aion/activity` entry); imported by path.
import type { AttemptOutcome } from '../activity/internal.js';
import type { ResultFrame, WorkerFrame } from '../protocol/index.js';

/** Results not yet acknowledged by the server, by task token (re-sent after reconnect). */
export class PendingResults {
  readonly #unacked = new Map<string, ResultFrame>();
  readonly #send: (frame: WorkerFrame) => void;
  #ackWaiters: (() => void)[] = [];

  constructor(send: (frame: WorkerFrame) => void) {
    this.#send = send;
  }

  get size(): number {
    return this.#unacked.size;
  }

  has(taskToken: string): boolean {
    return this.#unacked.has(taskToken);
  }

  /** Records the outcome's result frame and sends it (now, if connected, and on reconnects). */
  report(taskToken: string, outcome: AttemptOutcome): void {
    const frame = resultFrame(taskToken, outcome);
    this.#unacked.set(taskToken, frame);
    this.#send(frame);
  }

  ack(taskToken: string): void {
    this.#unacked.delete(taskToken);
    if (this.#unacked.size === 0) for (const wake of this.#ackWaiters.splice(0)) wake();
  }

  /** Re-reports every unacknowledged result (after a registration). */
  resend(): void {
    for (const frame of this.#unacked.values()) this.#send(frame);
  }

  /** Resolves once every pending result is acknowledged; wait only while some are pending. */
  acknowledged(): Promise<void> {
    return new Promise<void>((resolve) => this.#ackWaiters.push(resolve));
  }
}

/** The result frame of an outcome. Values that JSON cannot carry fail the attempt for good. */
export function resultFrame(taskToken: string, outcome: AttemptOutcome): ResultFrame {
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
