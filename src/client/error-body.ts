// Rebuilding typed errors from the server's `{ code, message, details }` error bodies,
// including a failed workflow's cause (shared by the HTTP transport and SDK users).
import {
  AionError,
  failureToError,
  isErrorCode,
  JsonPayloadConverter,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Failure,
} from '../core/index.js';

const json = new JsonPayloadConverter();

/** Rebuilds the typed error a server response carries (`{ code, message, details }`). */
export function errorFromBody(status: number, body: unknown): AionError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const details = (typeof b.details === 'object' && b.details !== null ? b.details : {}) as Record<
    string,
    unknown
  >;
  const message = typeof b.message === 'string' ? b.message : `server answered HTTP ${status}`;
  if (
    b.code === 'workflow_failed' &&
    typeof details.failure === 'object' &&
    details.failure !== null
  ) {
    const failure = details.failure as Failure;
    const cause = failureToError(failure, (p) => json.fromPayload(p));
    return new WorkflowFailedError(
      String(details.workflowId),
      String(details.runId),
      String(details.status),
      failure.message,
      cause,
    );
  }
  if (
    b.code === 'workflow_already_started' &&
    typeof details.workflowId === 'string' &&
    typeof details.runId === 'string'
  ) {
    const { namespace, workflowId, runId, ...rest } = details;
    return new WorkflowExecutionAlreadyStartedError(String(namespace), workflowId, runId, {
      message,
      details: rest,
    });
  }
  return new AionError(isErrorCode(b.code) ? b.code : 'internal', message, details);
}
