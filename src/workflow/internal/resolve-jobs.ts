import { ActivityFailure, failureToError, type ActivationJob } from '../../core/index.js';
import { childFailure } from '../children.js';
import { decode, type RunState } from './run-state.js';

/** Jobs that settle an operation the workflow started (activity, timer, external, child). */
export type ResolveJob = Extract<
  ActivationJob,
  {
    type:
      | 'resolveActivity'
      | 'rejectActivity'
      | 'fireTimer'
      | 'resolveExternal'
      | 'rejectExternal'
      | 'resolveChildStart'
      | 'failChildStart'
      | 'resolveChild'
      | 'rejectChild';
  }
>;

const RESOLVE_TYPES: ReadonlySet<string> = new Set<ResolveJob['type']>([
  'resolveActivity',
  'rejectActivity',
  'fireTimer',
  'resolveExternal',
  'rejectExternal',
  'resolveChildStart',
  'failChildStart',
  'resolveChild',
  'rejectChild',
]);

export function isResolveJob(job: ActivationJob): job is ResolveJob {
  return RESOLVE_TYPES.has(job.type);
}

/** Settles the waiting operation; an outcome for an operation no longer waited on is ignored. */
export function applyResolveJob(s: RunState, job: ResolveJob): void {
  switch (job.type) {
    case 'resolveActivity':
    case 'rejectActivity':
      settleActivity(s, job);
      return;
    case 'fireTimer': {
      const op = s.timers.get(job.timerId);
      if (!op) return;
      s.timers.delete(job.timerId);
      op.resolve(undefined);
      return;
    }
    case 'resolveExternal':
    case 'rejectExternal': {
      const ext = s.externals.get(job.externalId);
      if (!ext) return;
      s.externals.delete(job.externalId);
      if (job.type === 'resolveExternal') ext.resolve(undefined);
      else ext.reject(failureToError(job.failure, (p) => decode(s, p)));
      return;
    }
    default:
      settleChild(s, job);
  }
}

function settleActivity(
  s: RunState,
  job: Extract<ResolveJob, { type: 'resolveActivity' | 'rejectActivity' }>,
): void {
  const op = s.activities.get(job.activityId);
  if (!op) return; // cancelled earlier: the late outcome is ignored
  s.activities.delete(job.activityId);
  op.unsubscribe?.();
  if (job.type === 'resolveActivity') {
    op.resolve(decode(s, job.result));
    return;
  }
  const cause = failureToError(job.failure, (p) => decode(s, p));
  op.reject(
    new ActivityFailure(
      `activity ${op.activityType} failed: ${cause.message}`,
      op.activityType,
      job.activityId,
      job.attempt,
      job.retryState,
      cause,
    ),
  );
}

function settleChild(
  s: RunState,
  job: Extract<
    ResolveJob,
    { type: 'resolveChildStart' | 'failChildStart' | 'resolveChild' | 'rejectChild' }
  >,
): void {
  const child = s.children.get(job.childId);
  if (!child) return;
  if (job.type === 'resolveChildStart') {
    child.runId = job.runId;
    child.started.resolve(job.runId);
    return;
  }
  s.children.delete(job.childId);
  if (job.type === 'resolveChild') {
    child.started.unsubscribe?.();
    child.result.resolve(decode(s, job.result));
    return;
  }
  const cause = failureToError(job.failure, (p) => decode(s, p));
  if (job.type === 'failChildStart') {
    child.started.reject(
      childFailure(
        child.workflowType,
        child.workflowId,
        undefined,
        `child workflow ${child.workflowId} could not start: ${cause.message}`,
        cause,
      ),
    );
    return;
  }
  child.started.unsubscribe?.();
  child.result.reject(
    childFailure(
      child.workflowType,
      child.workflowId,
      child.runId,
      `child workflow ${child.workflowId} ${cause.message}`,
      cause,
    ),
  );
}
