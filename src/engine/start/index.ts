// Starting runs: client starts with their id policies and idempotency keys, signal-with-start,
// and the run starter every kind of start (client, child, successor) goes through.
export {
  StartService,
  type InitialSignal,
  type InitialUpdate,
  type SignalWithStartOptions,
  type StartedRun,
} from './start-service.js';
export { RunStarter } from './run-starter.js';
export { START_AUDIT, withStartAudit, type StartAudit } from './start-audit.js';
export { withNewRequestId } from './start-policies.js';
export { badRequestId, requestIdIsValid } from './start-policies.js';
export { parseStart, type ParsedStart, type StartOptionContext } from './start-options.js';
export type { StartRunParams } from './start-params.js';
