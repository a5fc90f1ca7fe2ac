// Control of runs: cancel, terminate, pause, resume; reset and reopen; retry and re-pin;
// completing activities asynchronously by task token.
export { RunControl, type ControlAction } from './run-control.js';
export { RetryService, type RetryOptions } from './retry.js';
export { ResetService, type ResetOptions } from './reset-service.js';
export { AsyncCompletion } from './async-completion.js';
export { RESET_KIND, type ResetData, type ResetPoint } from './reset-plan.js';
