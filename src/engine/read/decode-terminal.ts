// A closed run's terminal event as the caller of `result()` sees it: the decoded value, or
// a WorkflowFailedError carrying the failure.
import {
  AionError,
  failureToError,
  WorkflowFailedError,
  type DataConverter,
  type Failure,
  type HistoryEvent,
  type Payload,
} from '../../core/index.js';
import type { RunInfo } from '../../store/index.js';

export function decodeTerminal(
  converter: DataConverter,
  info: Pick<RunInfo, 'workflowId' | 'runId'>,
  terminal: HistoryEvent,
): unknown {
  const decode = (p: Payload): unknown => converter.decode(p);
  const fail = (status: string, message: string, failure: Failure): never => {
    throw new WorkflowFailedError(
      info.workflowId,
      info.runId,
      status,
      message,
      failureToError(failure, decode),
    );
  };
  switch (terminal.type) {
    case 'WorkflowCompleted':
      return decode(terminal.result);
    case 'WorkflowFailed':
      return fail('FAILED', terminal.failure.message, terminal.failure);
    case 'WorkflowCancelled': {
      const message = terminal.reason ?? 'cancelled';
      return fail('CANCELLED', message, {
        type: 'CancelledFailure',
        source: 'cancelled',
        message,
        retryable: false,
      });
    }
    case 'WorkflowTerminated':
      return fail('TERMINATED', terminal.reason, {
        type: 'TerminatedFailure',
        source: 'terminated',
        message: terminal.reason,
        retryable: false,
      });
    case 'WorkflowTimedOut': {
      const message = `${terminal.timeoutType} timeout`;
      return fail('TIMED_OUT', message, {
        type: 'TimeoutFailure',
        source: 'timeout',
        message,
        retryable: false,
      });
    }
    default:
      throw new AionError('internal', `unexpected terminal event ${terminal.type}`);
  }
}
