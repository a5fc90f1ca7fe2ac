// Activating planned runs in the workflow thread: batched per tick (runs that hit a deadlock
// or ran the thread out of memory go alone), then each run's output is turned into events and
// the commit's side effects.
import { isTransientStoreError, stampEvent, type ActivationOutput } from '../../core/index.js';
import {
  DeadlockError,
  initInfoFor,
  WorkflowThreadRestartedError,
  type ActivateItem,
} from '../../runtime/index.js';
import { commandsToEvents } from '../commands/index.js';
import type { SchedulerContext } from './context.js';
import { brokenFrom, commandFailure, isThreadFault, toFailure } from './failures.js';
import { activationRoom, suggestContinueAsNew, terminateForHistory } from './history-budget.js';
import type { Plan } from './plan.js';
import { requeue } from './planning.js';

/** Activates the plans that want it: one batch, then the isolated runs one by one. */
export async function activatePlans(ctx: SchedulerContext, plans: Plan[]): Promise<void> {
  const batch = plans.filter((p) => p.activate && !p.actor.isolate);
  const singles = plans.filter((p) => p.activate && p.actor.isolate);
  if (batch.length > 0) await activateGroup(ctx, batch);
  for (const p of singles) await activateGroup(ctx, [p]);
}

async function activateGroup(ctx: SchedulerContext, planned: Plan[]): Promise<void> {
  const { thread, registry, metrics } = ctx.deps;
  // A run planned while resident whose thread was replaced since (an isolated run before it
  // ran the thread out of memory) has no instance to activate: put back, it is rebuilt first.
  const group: Plan[] = [];
  for (const p of planned) {
    if (p.start !== undefined || ctx.runs.isResident(p.actor)) group.push(p);
    else requeue(ctx, p, p.actor.isolate);
  }
  if (group.length === 0) return;
  const generation = thread.generation;
  for (const p of group) suggestContinueAsNew(ctx, p);
  const items: ActivateItem[] = group.map(activateItem);
  let outputs: readonly ActivationOutput[];
  try {
    if (group.some((p) => p.start)) {
      await Promise.all(
        group
          .filter((p) => p.start)
          .map((p) => registry.ensureLoaded(p.actor.key.namespace, p.actor.book.version)),
      );
    }
    outputs = await thread.activate(items);
    metrics.activations.inc(items.length);
    metrics.activationBatch.observe(items.length);
  } catch (err) {
    // A package that could not be read from the store is not the runs' fault: try again later.
    if (isTransientStoreError(err)) throw err;
    if (isThreadFault(err) && group.length > 1) {
      // Someone in the batch is stuck or ran the thread out of memory; find out who by
      // activating each alone (ADR 0002).
      for (const p of group) requeue(ctx, p, true);
      return;
    }
    if (err instanceof WorkflowThreadRestartedError) {
      for (const p of group) requeue(ctx, p, p.actor.isolate);
      return;
    }
    const failure = isThreadFault(err)
      ? brokenFrom(err)
      : { cause: 'unhandled' as const, failure: toFailure(err) };
    // The lines the stuck run wrote before it stuck are delivered, as those of a failed task.
    if (err instanceof DeadlockError && group.length === 1)
      for (const line of err.logs) ctx.deps.onWorkflowLog(group[0]!.actor.key, line);
    for (const p of group) {
      p.activate = false;
      p.taskFailure = failure;
    }
    return;
  }
  group.forEach((p, i) => {
    if (generation === thread.generation) p.actor.residentIn = generation;
    applyOutput(ctx, p, outputs[i]!);
  });
}

function activateItem(p: Plan): ActivateItem {
  const a = p.actor;
  const book = a.book;
  const input = {
    now: p.now,
    replaying: false,
    jobs: book.undelivered,
    historyLength: book.headSeq,
    continueAsNewSuggested: book.continueAsNewSuggested,
    // Where operations start is captured by the replay that answers `__stack_trace`
    // (closed-query.ts), not live: a stack capture cost more than the rest of starting an
    // activity (~7 µs of the workflow thread's ~35 per activation, and its garbage).
    captureStacks: false,
    captureConditionStacks: false,
  };
  if (!p.start) return { key: a.mapKey, input };
  // A first activation carries the run's init info (its module is instantiated with it), and
  // the version to instantiate only when that is not the start's.
  const init = initInfoFor(a.key, book.started!);
  return init.version === book.version
    ? { key: a.mapKey, init, input }
    : { key: a.mapKey, version: book.version, init, input };
}

function applyOutput(ctx: SchedulerContext, p: Plan, output: ActivationOutput): void {
  const a = p.actor;
  const d = ctx.deps;
  for (const line of output.logs) d.onWorkflowLog(a.key, line);
  if (output.sinkCalls) d.onSinkCalls(a.key, output.sinkCalls);
  if (output.taskFailure) {
    p.taskFailure = output.taskFailure;
    a.residentIn = undefined; // the thread dropped the half-applied instance
    return;
  }
  try {
    // Checked before any command is applied: a run that ends here keeps a clean book.
    const room = activationRoom(d.history, a.book, output.commands);
    if (room !== 'fits') {
      terminateForHistory(ctx, p, room);
      a.isolate = false;
      return;
    }
    const events = commandsToEvents(
      ctx.commandEnv,
      a.key,
      output.commands,
      a.book,
      p.now,
      p.effects,
      d.schemaFor(a.key.namespace),
      (workflowType) => d.routeFor(a.key.namespace, workflowType),
    );
    p.events.push(...events);
    if (!a.book.closed) {
      const wtc = stampEvent({ type: 'WorkflowTaskCompleted' }, a.book.headSeq + 1, p.now);
      a.book.apply(wtc);
      p.events.push(wtc);
    }
    a.isolate = false;
  } catch (err) {
    p.taskFailure = commandFailure(err);
  }
}
