import {
  ActivityFailure,
  CancelledFailure,
  composeInterceptors,
  type Headers,
  optionalDuration,
  type Payload,
  type WorkflowCommand,
  type RecordedActivityOptions,
  type Mutable,
} from '../core/index.js';
import {
  captureStack,
  encode,
  getState,
  pushCommand,
  type PendingOp,
} from './internal/run-state.js';
import { CancellationScope } from './internal/scope.js';
import { toRecordedRetry } from './internal/retry-options.js';
import type { ScheduleActivityInput, WorkflowOutboundCallsInterceptor } from './interceptors.js';

export { ActivityCancellationType } from './activity-options.js';
export type {
  ActivityInterfaceFor,
  ActivityOptions,
  LocalActivityOptions,
  RetryPolicyOptions,
} from './activity-options.js';
import {
  ActivityCancellationType,
  type ActivityInterfaceFor,
  type ActivityOptions,
  type LocalActivityOptions,
} from './activity-options.js';

type AnyFunction = (...args: never[]) => unknown;

/** `Object.keys(o).length > 0` without building the array. */
function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

function fail(message: string): never {
  throw new TypeError(`invalid activity options: ${message}`);
}

function toRecordedOptions(
  options: ActivityOptions,
  defaultQueue: string,
): RecordedActivityOptions {
  const out: { -readonly [K in keyof RecordedActivityOptions]: RecordedActivityOptions[K] } = {
    taskQueue: options.taskQueue ?? defaultQueue,
  };
  if (typeof out.taskQueue !== 'string' || out.taskQueue.length === 0)
    fail('taskQueue must be a non-empty string');
  if (
    options.cancellationType !== undefined &&
    !Object.values<string>(ActivityCancellationType).includes(options.cancellationType)
  )
    fail(`cancellationType must be one of ${Object.values(ActivityCancellationType).join(', ')}`);
  const stc = optionalDuration(options.startToCloseTimeout, 'startToCloseTimeout');
  const sch = optionalDuration(options.scheduleToCloseTimeout, 'scheduleToCloseTimeout');
  const sts = optionalDuration(options.scheduleToStartTimeout, 'scheduleToStartTimeout');
  const hb = optionalDuration(options.heartbeatTimeout, 'heartbeatTimeout');
  if (stc !== undefined) out.startToCloseTimeoutMs = stc;
  if (sch !== undefined) out.scheduleToCloseTimeoutMs = sch;
  if (sts !== undefined) out.scheduleToStartTimeoutMs = sts;
  if (hb !== undefined) out.heartbeatTimeoutMs = hb;
  if (options.retry) out.retry = toRecordedRetry(options.retry, fail);
  return out;
}

/** Schedules one activity and returns its result promise. */
function scheduleByType(
  activityType: string,
  args: readonly unknown[],
  options: ActivityOptions,
  local: boolean,
): Promise<unknown> {
  const s = getState();
  const scope = CancellationScope.current();
  const recorded = toRecordedOptions(options, s.info.taskQueue);
  // Nothing is scheduled in a cancelled scope: a bare CancelledFailure, as in Temporal.
  if (scope.consideredCancelled) return Promise.reject(new CancelledFailure(scope.reason));
  const outbound = s.interceptors.outbound as readonly WorkflowOutboundCallsInterceptor[];
  if (outbound.length === 0)
    return schedule(s, scope, activityType, args, recorded, local, {}, options.cancellationType);
  const first: ScheduleActivityInput = { activityType, args, options, local, headers: {} };
  return composeInterceptors(outbound, 'scheduleActivity', (input) =>
    schedule(
      s,
      scope,
      input.activityType,
      input.args,
      input === first ? recorded : toRecordedOptions(input.options, s.info.taskQueue),
      input.local,
      input.headers,
      input.options.cancellationType,
    ),
  )(first);
}

function schedule(
  s: ReturnType<typeof getState>,
  scope: CancellationScope,
  activityType: string,
  args: readonly unknown[],
  recorded: RecordedActivityOptions,
  local: boolean,
  headers: Headers,
  cancellationType: ActivityCancellationType = ActivityCancellationType.TRY_CANCEL,
): Promise<unknown> {
  const activityId = String(++s.nextActivityId);
  const encoded: Payload[] = [];
  for (let i = 0; i < args.length; i++) encoded.push(encode(s, args[i]));
  const command: Mutable<Extract<WorkflowCommand, { type: 'scheduleActivity' }>> = {
    type: 'scheduleActivity',
    activityId,
    activityType,
    args: encoded,
    options: recorded,
    local,
  };
  if (hasKeys(headers)) command.headers = headers;
  pushCommand(s, command);
  return new Promise<unknown>((resolve, reject) => {
    const op: PendingOp & { activityType: string } = {
      kind: 'activity',
      activityType,
      describe: () => `${local ? 'local ' : ''}activity ${activityId} ${activityType}`,
      stack: captureStack(s),
      resolve,
      reject,
    };
    s.activities.set(activityId, op);
    op.unsubscribe = scope.onCancel((reason) => {
      if (!s.activities.has(activityId)) return;
      // Waiting: the recorded outcome (usually ActivityCancelled) settles the promise later.
      if (cancellationType !== ActivityCancellationType.ABANDON)
        pushCommand(s, { type: 'requestCancelActivity', activityId });
      if (cancellationType === ActivityCancellationType.WAIT_CANCELLATION_COMPLETED) return;
      // Not waiting: a later outcome of the activity is recorded but no longer delivered.
      s.activities.delete(activityId);
      reject(
        new ActivityFailure(
          'activity cancelled',
          activityType,
          activityId,
          0,
          'CANCEL_REQUESTED',
          new CancelledFailure(reason),
        ),
      );
    });
  });
}

/**
 * An activity proxy's target: what its calls schedule with, in private fields (no own
 * properties: the proxy looks as empty as before). Its handler is shared by every proxy — a
 * workflow module's `proxyActivities(...)` runs once per run, and each made a handler of its
 * own (an object, a closure and its scope).
 */
class ProxyTarget {
  readonly #options: ActivityOptions;
  readonly #local: boolean;

  constructor(options: ActivityOptions, local: boolean) {
    this.#options = options;
    this.#local = local;
  }

  static readonly handler: ProxyHandler<ProxyTarget> = {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      if (name === 'then') return undefined; // not a thenable
      const options = target.#options;
      const local = target.#local;
      return (...args: unknown[]) => scheduleByType(name, args, options, local);
    },
  };
}

function makeProxy<A>(options: ActivityOptions, local: boolean): ActivityInterfaceFor<A> {
  // Validate eagerly so bad options fail where they are written.
  toRecordedOptions(options, 'default');
  return new Proxy(
    new ProxyTarget(options, local),
    ProxyTarget.handler,
  ) as unknown as ActivityInterfaceFor<A>;
}

/**
 * Typed proxy for scheduling activities. Each call records `ActivityScheduled`, the engine
 * runs it (with retries per the policy) and the recorded outcome resolves the promise.
 *
 * @example
 * const { charge } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
 * await charge(order);
 */
export function proxyActivities<A = Record<string, AnyFunction>>(
  options: ActivityOptions = {},
): ActivityInterfaceFor<A> {
  return makeProxy<A>(options, false);
}

/** Like {@link proxyActivities} but always runs the activity in the engine's own process. */
export function proxyLocalActivities<A = Record<string, AnyFunction>>(
  options: LocalActivityOptions = {},
): ActivityInterfaceFor<A> {
  return makeProxy<A>(options, true);
}

/**
 * Schedules an activity by its type name (Temporal's low-level call, deprecated there in
 * favour of {@link proxyActivities}; kept for code written for Temporal).
 *
 * @example
 * const greeting = await scheduleActivity<string>('greet', ['Ada'], { startToCloseTimeout: '1m' });
 */
export function scheduleActivity<R = unknown>(
  activityType: string,
  args: readonly unknown[],
  options: ActivityOptions,
): Promise<R> {
  if (options === undefined) throw new TypeError('Got empty activity options');
  return scheduleByType(activityType, args, options, false) as Promise<R>;
}

/** Like {@link scheduleActivity}, as a local activity (Temporal's low-level call). */
export function scheduleLocalActivity<R = unknown>(
  activityType: string,
  args: readonly unknown[],
  options: LocalActivityOptions,
): Promise<R> {
  if (options === undefined) throw new TypeError('Got empty activity options');
  return scheduleByType(activityType, args, options, true) as Promise<R>;
}
