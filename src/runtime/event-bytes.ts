import type { Failure, NewEvent, Payload } from '../core/index.js';

/** Bytes of envelope counted per event, beside its payloads. */
export const EVENT_ENVELOPE_BYTES = 64;

/**
 * Approximate size of an event in history: its payload text, its failure's message, stack
 * and details, plus {@link EVENT_ENVELOPE_BYTES}. Cheap, and close enough for a limit whose
 * point is to stop unbounded growth (`limits.maxHistoryBytes`, `continueAsNewSuggested`).
 */
export function eventBytes(event: NewEvent): number {
  let size = EVENT_ENVELOPE_BYTES;
  if ('failure' in event && event.failure) size += failureBytes(event.failure);
  switch (event.type) {
    case 'WorkflowStarted':
    case 'SignalReceived':
    case 'UpdateAccepted':
    case 'ChildWorkflowInitiated':
    case 'ExternalSignalInitiated':
    case 'WorkflowContinuedAsNew':
      return size + payloadsBytes(event.args);
    case 'ActivityScheduled':
      return size + payloadsBytes(event.input);
    case 'ActivityCompleted':
    case 'WorkflowCompleted':
    case 'ChildWorkflowCompleted':
    case 'UpdateCompleted':
      return size + payloadBytes(event.result);
    case 'MemoUpserted':
      return size + payloadsBytes(Object.values(event.memo));
    default:
      return size;
  }
}

function payloadBytes(p: Payload | null | undefined): number {
  return p ? p.data.length : 0;
}

function payloadsBytes(payloads: readonly (Payload | null)[]): number {
  let size = 0;
  for (let i = 0; i < payloads.length; i++) size += payloadBytes(payloads[i]);
  return size;
}

/** Text of a failure and of its first 32 causes. */
export function failureBytes(failure: Failure): number {
  let size = 0;
  let f: Failure | undefined = failure;
  for (let depth = 0; f && depth < 32; depth++, f = f.cause) {
    size += f.type.length + f.message.length + (f.stack?.length ?? 0);
    for (const d of f.details ?? []) size += d.data.length;
  }
  return size;
}
