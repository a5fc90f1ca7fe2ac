// Running the attempts the server dispatches: the activity executor, the attempts in flight
// by task token, their cancellation and heartbeats, and the report of each outcome.
// The activity folder's index is the public `aion/activity` entry, which leaves out the
// executor and its handle types; like the engine, the worker imports them by path.
import { ActivityExecutor } from '../activity/internal.js';
import type { ActivityInfo, AttemptHandle, AttemptRequest } from '../activity/internal.js';
import type {
  ActivityFunction,
  ActivityInboundCallsInterceptor,
  LogSink,
} from '../activity/index.js';
import { RealClock } from '../clock/index.js';
import type { TaskFrame, WorkerFrame } from '../protocol/index.js';
import { HeartbeatThrottle } from './heartbeats.js';
import type { PendingResults } from './results.js';

interface Running {
  readonly handle: AttemptHandle;
  readonly heartbeats: HeartbeatThrottle;
}

export interface AttemptsOptions {
  readonly activities: Readonly<Record<string, ActivityFunction>>;
  readonly maxConcurrent: number;
  readonly logger: LogSink;
  readonly interceptors: readonly ActivityInboundCallsInterceptor[] | undefined;
  /** Named in the failure of a task refused while draining. */
  readonly identity: string;
  /** False while the worker or the server drains: new tasks are refused (retryable). */
  readonly accepting: () => boolean;
  readonly results: PendingResults;
  readonly send: (frame: WorkerFrame) => void;
}

/** The attempts this worker runs, by task token. */
export class Attempts {
  readonly #options: AttemptsOptions;
  readonly #executor: ActivityExecutor;
  readonly #running = new Map<string, Running>();

  constructor(options: AttemptsOptions) {
    this.#options = options;
    this.#executor = new ActivityExecutor({
      activities: options.activities,
      clock: new RealClock(),
      maxConcurrent: options.maxConcurrent,
      onHeartbeat: (info, details) => this.#heartbeat(info, details),
      logger: options.logger,
      ...(options.interceptors ? { interceptors: options.interceptors } : {}),
    });
  }

  /** Runs a dispatched task; a duplicate of a running or unacknowledged one is ignored. */
  start(task: TaskFrame): void {
    const { results } = this.#options;
    if (this.#running.has(task.taskToken) || results.has(task.taskToken)) return;
    if (!this.#options.accepting()) {
      results.report(task.taskToken, {
        type: 'failed',
        failure: {
          type: 'WorkerShutdown',
          message: `worker ${this.#options.identity} is shutting down and did not start the attempt`,
          retryable: true,
        },
      });
      return;
    }
    let handle: AttemptHandle;
    try {
      handle = this.#executor.execute({
        info: taskInfo(task),
        args: task.args,
        options: attemptOptions(task),
      });
    } catch (err) {
      results.report(task.taskToken, {
        type: 'failed',
        failure: { type: 'WorkerShutdown', message: (err as Error).message, retryable: true },
      });
      return;
    }
    const running: Running = {
      handle,
      heartbeats: new HeartbeatThrottle(
        task.heartbeatTimeoutMs,
        (details) => this.#options.send({ type: 'heartbeat', taskToken: task.taskToken, details }),
        () => this.#running.has(task.taskToken),
      ),
    };
    this.#running.set(task.taskToken, running);
    void handle.outcome.then((outcome) => {
      running.heartbeats.stop();
      this.#running.delete(task.taskToken);
      results.report(task.taskToken, outcome);
    });
  }

  cancel(taskToken: string, reason: string): void {
    this.#running.get(taskToken)?.handle.cancel(reason);
  }

  /** Lets running attempts finish for up to `timeoutMs`, then cancels them. */
  shutdown(timeoutMs: number): Promise<void> {
    return this.#executor.shutdown({ graceful: true, timeoutMs });
  }

  #heartbeat(info: ActivityInfo, details: unknown): void {
    this.#running.get(info.taskToken)?.heartbeats.beat(details);
  }
}

function taskInfo(task: TaskFrame): ActivityInfo {
  return {
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
}

function attemptOptions(task: TaskFrame): AttemptRequest['options'] {
  return {
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
  };
}
