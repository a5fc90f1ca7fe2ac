// Commands that change only the run's own state: timers, update completions, search
// attributes and memo. They write an event (and for timers a timer row), nothing else.
import { AionError, type Payload, type SearchAttributeType } from '../../core/index.js';
import { toTypedSearchAttributes } from '../../visibility/index.js';
import type { CommandOf, EventWriter } from './event-writer.js';
import { USER_TIMER_KIND } from './kinds.js';

export function startTimer(w: EventWriter, cmd: CommandOf<'startTimer'>): void {
  const { run } = w;
  const fireAt = w.now + cmd.durationMs;
  const e = w.push({
    type: 'TimerStarted',
    timerId: cmd.timerId,
    durationMs: cmd.durationMs,
    fireAt,
  });
  w.effects.timers.push({
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    timerId: cmd.timerId,
    fireAt,
    kind: USER_TIMER_KIND,
    data: String(e.seq),
  });
}

export function cancelTimer(w: EventWriter, cmd: CommandOf<'cancelTimer'>): void {
  const pending = w.book.timers.get(cmd.timerId);
  // Fired in this activation (the cancel came with the firing) or before: nothing to cancel,
  // nothing recorded (replay skips the command alike).
  if (!pending) return;
  w.push({ type: 'TimerCancelled', startedSeq: pending.startedSeq, timerId: cmd.timerId });
  w.effects.cancelTimers.push(cmd.timerId);
}

export function completeUpdate(w: EventWriter, cmd: CommandOf<'completeUpdate'>): void {
  const acceptedSeq = w.book.openUpdates.get(cmd.updateId);
  if (acceptedSeq === undefined)
    throw new AionError('internal', `completion of unknown update ${cmd.updateId}`);
  if (cmd.result) w.checkPayloads([cmd.result], 'update result');
  w.push({
    type: 'UpdateCompleted',
    acceptedSeq,
    updateId: cmd.updateId,
    ...(cmd.result ? { result: cmd.result } : {}),
    ...(cmd.failure ? { failure: cmd.failure } : {}),
  });
}

export function upsertSearchAttributes(
  w: EventWriter,
  cmd: CommandOf<'upsertSearchAttributes'>,
  schema: ReadonlyMap<string, SearchAttributeType>,
): void {
  const plain = JSON.parse(cmd.attributes.data) as Record<string, unknown>;
  w.push({
    type: 'SearchAttributesUpserted',
    searchAttributes: toTypedSearchAttributes(plain, schema),
  });
}

export function upsertMemo(w: EventWriter, cmd: CommandOf<'upsertMemo'>): void {
  w.checkPayloads(
    Object.values(cmd.memo).filter((p): p is Payload => p !== null),
    'memo',
  );
  w.push({ type: 'MemoUpserted', memo: cmd.memo });
}
