// What one task's commands will add to history, known before any of them is applied: each
// command records exactly one event, measured as the run book measures events.
import type { Payload, WorkflowCommand } from '../../core/index.js';
import { EVENT_ENVELOPE_BYTES, failureBytes } from '../../runtime/index.js';

/** Whether the commands end the run (complete, fail, cancel or continue as new). */
export function endsRun(commands: readonly WorkflowCommand[]): boolean {
  return commands.some(
    (c) =>
      c.type === 'completeWorkflow' ||
      c.type === 'failWorkflow' ||
      c.type === 'cancelWorkflow' ||
      c.type === 'continueAsNew',
  );
}

/** The history bytes the events of `commands` will weigh (as `eventBytes` counts them). */
export function commandsBytes(commands: readonly WorkflowCommand[]): number {
  let size = 0;
  for (const cmd of commands) size += commandBytes(cmd);
  return size;
}

function commandBytes(cmd: WorkflowCommand): number {
  switch (cmd.type) {
    case 'scheduleActivity':
    case 'startChild':
    case 'continueAsNew':
    case 'signalExternal':
      return EVENT_ENVELOPE_BYTES + payloadsBytes(cmd.args);
    case 'completeWorkflow':
      return EVENT_ENVELOPE_BYTES + cmd.result.data.length;
    case 'failWorkflow':
      return EVENT_ENVELOPE_BYTES + failureBytes(cmd.failure);
    case 'completeUpdate':
      return (
        EVENT_ENVELOPE_BYTES +
        (cmd.result?.data.length ?? 0) +
        (cmd.failure ? failureBytes(cmd.failure) : 0)
      );
    case 'upsertMemo':
      return (
        EVENT_ENVELOPE_BYTES +
        payloadsBytes(Object.values(cmd.memo).filter((p): p is Payload => p !== null))
      );
    default:
      return EVENT_ENVELOPE_BYTES;
  }
}

function payloadsBytes(payloads: readonly Payload[]): number {
  let size = 0;
  for (const p of payloads) size += p.data.length;
  return size;
}
