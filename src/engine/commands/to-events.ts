// Turns one live activation's commands into history events and the side-effect rows they
// imply (task, timer and outbox rows), in command order, applied to the run's book.
import type {
  HistoryEvent,
  Payload,
  RunKey,
  SearchAttributeType,
  WorkflowCommand,
} from '../../core/index.js';
import type { RunBook } from '../../runtime/index.js';
import { requestCancelActivity, scheduleActivity } from './activity-commands.js';
import type { CommitEffects } from './effects.js';
import { EventWriter, type CommandEnv } from './event-writer.js';
import { continueAsNew, signalOrCancelExternal, startChild } from './outbox-commands.js';
import { cronSuccessor } from './cron.js';
import { failOrRetry } from './workflow-retry.js';
import { checkCommandCount, checkPending, pendingCounts } from './run-limits.js';
import {
  cancelTimer,
  completeUpdate,
  startTimer,
  upsertMemo,
  upsertSearchAttributes,
} from './state-commands.js';

/**
 * Turns one live activation's commands into events (stamped from `nextSeq`, applied to the
 * book) and side-effect rows. Throws `payload_too_large` for an oversize payload, and
 * `run_limit_exceeded` for too many commands or too much left pending — task failures, since
 * the same code would produce them again.
 */
export function commandsToEvents(
  env: CommandEnv,
  run: RunKey,
  commands: readonly WorkflowCommand[],
  book: RunBook,
  now: number,
  effects: CommitEffects,
  schema: ReadonlyMap<string, SearchAttributeType> = new Map(),
  routeFor: (workflowType: string) => string | undefined = () => undefined,
): HistoryEvent[] {
  checkCommandCount(commands, env.runLimits);
  const before = pendingCounts(book);
  const w = new EventWriter(env, run, book, now, effects);
  for (const cmd of commands) {
    switch (cmd.type) {
      case 'scheduleActivity':
        scheduleActivity(w, cmd);
        break;
      case 'requestCancelActivity':
        requestCancelActivity(w, cmd);
        break;
      case 'startTimer':
        startTimer(w, cmd);
        break;
      case 'cancelTimer':
        cancelTimer(w, cmd);
        break;
      case 'completeWorkflow':
        w.checkPayloads([cmd.result], 'workflow result');
        completeOrNext(w, cmd.result);
        break;
      case 'failWorkflow':
        failOrRetry(w, cmd);
        break;
      case 'cancelWorkflow':
        w.push({
          type: 'WorkflowCancelled',
          ...(book.cancelRequested ? { reason: 'cancel requested' } : {}),
        });
        break;
      case 'upsertSearchAttributes':
        upsertSearchAttributes(w, cmd, schema);
        break;
      case 'startChild':
        startChild(w, cmd, routeFor);
        break;
      case 'signalExternal':
      case 'cancelExternal':
        signalOrCancelExternal(w, cmd);
        break;
      case 'recordPatch':
        w.push({
          type: 'MarkerRecorded',
          markerName: 'patch',
          patchId: cmd.patchId,
          ...(cmd.deprecated ? { deprecated: true } : {}),
        });
        break;
      case 'completeUpdate':
        completeUpdate(w, cmd);
        break;
      case 'upsertMemo':
        upsertMemo(w, cmd);
        break;
      case 'continueAsNew':
        continueAsNew(w, cmd, schema);
        break;
    }
  }
  checkPending(before, book, env.runLimits);
  return w.events;
}

/** A completed run; a cron run names the next run of its chain. */
function completeOrNext(w: EventWriter, result: Payload): void {
  const newRunId = cronSuccessor(w, { result });
  w.push({ type: 'WorkflowCompleted', result, ...(newRunId !== undefined ? { newRunId } : {}) });
}
