// Activation planning: a ready run's arrivals are admitted and recorded onto its book, and
// the plan says whether it gets an activation this tick; plans can be put back for later.
import { AionError, defectOn, stampEvent, type NewEvent } from '../../core/index.js';
import { emptyEffects } from '../commands/index.js';
import type { Arrival, RunActor } from '../run-actor.js';
import { admit, type Verdict } from './admission.js';
import type { SchedulerContext } from './context.js';
import { arrivalRoom, noRoomError, terminateForHistory } from './history-budget.js';
import type { Plan } from './plan.js';
import { refuseFrozen, scheduleRetry } from './supervision.js';

/** True when the run has something to activate (so a non-resident one must be rebuilt). */
export function wantsActivation(a: RunActor): boolean {
  return (
    a.pendingStart !== undefined ||
    a.inbox.length > 0 ||
    a.needsActivation ||
    a.book.undelivered.length > 0
  );
}

/**
 * Drops what its sender gave up on (its deadline passed during a store outage; it was told
 * so) and, for a parked run, everything. Returns false when nothing of the run is left.
 */
function withdraw(ctx: SchedulerContext, a: RunActor): boolean {
  if (a.frozen !== undefined) refuseFrozen(a);
  if (a.inbox.some(givenUp)) a.inbox = a.inbox.filter((arrival) => !givenUp(arrival));
  if (a.pendingStart?.ack.givenUp === true) {
    a.pendingStart = undefined;
    // A start never committed: the run does not exist (its initial signals go with it).
    if (a.book.headSeq === 0) {
      for (const arrival of a.inbox) arrival.ack?.reject(notStarted(a));
      a.inbox = [];
      ctx.runs.forget(a);
      return false;
    }
  }
  return true;
}

const givenUp = (arrival: Arrival): boolean => arrival.ack?.givenUp === true;

/** What a plan without arrivals (most plans) shares. */
const NO_ARRIVALS: readonly Arrival[] = [];
const NONE: readonly string[] = [];

function notStarted(a: RunActor): AionError {
  return new AionError('not_found', `workflow run ${a.key.runId} was not started`, {
    runId: a.key.runId,
  });
}

/**
 * A run whose first workflow task is delayed (cron, `startDelay`) is not activated before its
 * time: what arrives meanwhile is recorded and delivered with the first task, which its
 * timer releases.
 */
function firstTaskHeld(a: RunActor, now: number): boolean {
  const at = a.book.started?.firstTaskAt;
  return at !== undefined && now < at;
}

/** Records arrivals (and, on the live path, sets up the activation). */
export function planRun(ctx: SchedulerContext, a: RunActor): Plan | undefined {
  if (!withdraw(ctx, a)) return undefined;
  const now = ctx.deps.clock.now();
  // A parked run commits only its stuck flag; what it kept waits in its inbox for a retry.
  const frozen = a.frozen !== undefined;
  if (frozen && a.visibilityPatch === undefined) return undefined;
  const taking = !frozen && a.inbox.length > 0;
  // Every field in the literal, optional ones too: plans share one shape.
  const plan: Plan = {
    actor: a,
    expectedSeq: a.book.headSeq,
    now,
    arrivals: taking ? a.inbox : NO_ARRIVALS,
    start: a.pendingStart,
    events: [],
    effects: emptyEffects(),
    inboxDone: a.pendingStart?.inboxId !== undefined ? [a.pendingStart.inboxId] : [],
    activate: false,
    skip: false,
    visibility: a.visibilityPatch,
    prevLastEventType: a.book.lastEventType,
    taskFailure: undefined,
    historyLimit: undefined,
  };
  if (taking) a.inbox = [];
  a.pendingStart = undefined;
  a.needsActivation = false;
  if (a.releaseTimers.length > 0) {
    for (const t of a.releaseTimers) plan.effects.cancelTimers.push(t);
    a.releaseTimers = NONE;
  }
  a.visibilityPatch = undefined;
  const push = (event: NewEvent): void => {
    const stamped = stampEvent(event, a.book.headSeq + 1, now);
    a.book.apply(stamped);
    plan.events.push(stamped);
  };
  if (plan.start) {
    push(plan.start.started);
    if (defectOn('ack-before-commit')) plan.start.ack.resolve();
    for (const t of plan.start.timers ?? []) plan.effects.timers.push(t);
  }
  for (const arrival of plan.arrivals) recordArrival(ctx, plan, arrival, push);
  if (a.book.closed) {
    plan.visibility = undefined; // a closed run is never stuck
    return plan.events.length > 0 ? plan : settleEmpty(plan);
  }
  if (a.broken && !a.stuck) {
    if (plan.arrivals.length > 0 || plan.start || plan.prevLastEventType !== 'WorkflowTaskFailed')
      plan.taskFailure = a.broken;
    scheduleRetry(ctx, a);
    return plan.events.length > 0 || plan.taskFailure || plan.visibility ? plan : settleEmpty(plan);
  }
  plan.activate =
    a.book.status === 'RUNNING' &&
    a.stuck === undefined &&
    !firstTaskHeld(a, now) &&
    a.book.undelivered.length > 0 &&
    (plan.start !== undefined || ctx.runs.isResident(a));
  if (
    !plan.activate &&
    plan.events.length === 0 &&
    plan.visibility === undefined &&
    plan.effects.removeOutbox.length === 0 &&
    plan.effects.cancelTimers.length === 0
  )
    return settleEmpty(plan);
  return plan;
}

/**
 * Records an arrival if the run admits it and its history has room; an arrival of the
 * workflow's own that does not fit ends the run first (history_too_large).
 */
function recordArrival(
  ctx: SchedulerContext,
  plan: Plan,
  arrival: Arrival,
  push: (event: NewEvent) => void,
): void {
  const a = plan.actor;
  if (injectedDrop(plan, arrival)) return;
  let verdict: Verdict | 'no_room' = admit(a, arrival);
  if (verdict === 'record') {
    const room = arrivalRoom(ctx.deps.history, a.book, arrival.event);
    if (room === 'length' || room === 'bytes') {
      terminateForHistory(ctx, plan, room);
      // Ended: the arrival is refused as for any closed run (else: parked, history full).
      verdict = a.book.closed ? admit(a, arrival) : 'no_room';
    } else if (room === 'no_room') {
      verdict = room;
    }
  }
  if (verdict === 'drop' && !a.book.closed) {
    // Stale or a duplicate — as far as this book knows. Its rows go with the plan's commit,
    // and a waiting sender hears once that commits: a book behind the store (a commit that
    // landed unseen) conflicts there, and the arrival is then admitted again after a rebuild
    // instead of being lost with its outbox row.
    logDrop(ctx, a, arrival);
    if (arrival.inboxId !== undefined) plan.inboxDone.push(arrival.inboxId);
    for (const o of arrival.removeOutbox ?? []) plan.effects.removeOutbox.push(o);
    for (const t of arrival.cancelTimers ?? []) plan.effects.cancelTimers.push(t);
    return;
  }
  if (verdict !== 'record') {
    // A duplicate of an arrival this plan records (a timer fired from memory and claimed by a
    // poll too): its timer rows go with the plan's commit. Deleted now, a crash before that
    // commit would lose the timer.
    const committing = new Set(plan.effects.cancelTimers);
    settleUnrecorded(ctx, a, arrival, verdict, (t) => !committing.has(t));
    return;
  }
  push(arrival.event);
  if (arrival.inboxId !== undefined) plan.inboxDone.push(arrival.inboxId);
  if (defectOn('ack-before-commit')) arrival.ack?.resolve();
  for (const t of arrival.removeTasks ?? []) plan.effects.removeTasks.push(t);
  for (const t of arrival.cancelTimers ?? []) plan.effects.cancelTimers.push(t);
  for (const o of arrival.removeOutbox ?? []) plan.effects.removeOutbox.push(o);
  for (const o of arrival.addOutbox ?? []) plan.effects.outbox.push(o);
}

/** The `drop-buffered-signal` defect: a signal behind another arrival is acknowledged, not recorded. */
function injectedDrop(plan: Plan, arrival: Arrival): boolean {
  if (!defectOn('drop-buffered-signal')) return false;
  if (arrival.event.type !== 'SignalReceived' || plan.arrivals.indexOf(arrival) < 1) return false;
  arrival.ack?.resolve();
  return true;
}

/** A message for a closed (or full) run or a stale outcome: settle its ack and rows anyway. */
function settleUnrecorded(
  ctx: SchedulerContext,
  a: RunActor,
  arrival: Arrival,
  verdict: Exclude<Verdict, 'record'> | 'no_room',
  deletable: (timerId: string) => boolean,
): void {
  const { store } = ctx.deps;
  if (verdict === 'drop') logDrop(ctx, a, arrival);
  if (arrival.removeOutbox?.length)
    void store.deleteOutbox(a.key.namespace, [...arrival.removeOutbox]).catch(() => undefined);
  if (verdict === 'closed') {
    arrival.ack?.reject(
      new AionError(
        'workflow_closed',
        `workflow ${a.key.workflowId} run ${a.key.runId} is ${a.book.status}`,
        { status: a.book.status, runId: a.key.runId },
      ),
    );
  } else if (verdict === 'no_room') {
    arrival.ack?.reject(noRoomError(a, arrival.event));
  } else if (verdict === 'wrong_state') {
    arrival.ack?.reject(
      new AionError(
        'invalid_state',
        `cannot ${arrival.event.type === 'WorkflowPaused' ? 'pause' : 'resume'} workflow ${a.key.workflowId}: run ${a.key.runId} is ${a.book.status}`,
        { status: a.book.status, runId: a.key.runId },
      ),
    );
  } else {
    arrival.ack?.resolve();
  }
  // A stale outcome or timer: make sure its row does not linger.
  for (const t of arrival.cancelTimers ?? [])
    if (deletable(t))
      void store.deleteTimer(a.key.namespace, a.key.runId, t).catch(() => undefined);
}

function logDrop(ctx: SchedulerContext, a: RunActor, arrival: Arrival): void {
  ctx.deps.logger.debug('arrival not recorded: stale or a duplicate', {
    runId: a.key.runId,
    event: arrival.event.type,
    headSeq: a.book.headSeq,
  });
}

/** Acknowledges a plan that writes nothing. */
export function settleEmpty(plan: Plan): undefined {
  for (const arrival of plan.arrivals) arrival.ack?.resolve();
  return undefined;
}

/** Puts a plan's input back (its optimistic book updates are dropped by a reload). */
export function requeue(ctx: SchedulerContext, p: Plan, isolate: boolean): void {
  const a = p.actor;
  // An activation for events already in history (after a rebuild) has no arrival to put back.
  if (p.activate) a.needsActivation = true;
  p.activate = false;
  p.events.length = 0;
  a.reset();
  a.busy = false;
  a.isolate = isolate;
  a.inbox = [...p.arrivals, ...a.inbox];
  a.pendingStart = p.start;
  if (p.start) a.loaded = true; // a new run has no history to read
  p.skip = true;
  ctx.markReady(a);
}
