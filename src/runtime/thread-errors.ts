import { AionError } from '../core/index.js';
import type { ErrorBody } from './worker-protocol.js';

/** The workflow thread was restarted; every resident run must be rebuilt by replay. */
export class WorkflowThreadRestartedError extends Error {
  constructor(reason: string, message?: string) {
    super(
      message ?? `the workflow thread restarted (${reason}); the run will be rebuilt by replay`,
    );
    this.name = 'WorkflowThreadRestartedError';
  }
}

/** The error a failed response turns into on the host side. */
export function responseError(error: ErrorBody): AionError {
  return new AionError(
    error.code === 'package_invalid' ? 'package_invalid' : 'internal',
    error.message,
    error.details ?? {},
  );
}
