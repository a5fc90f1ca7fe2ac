/**
 * Entry of a package's runtime section (never imported by user code): evaluated once per
 * package sandbox. Exposes the activator factory, the implementations behind the sandbox's
 * `setTimeout`/`clearTimeout` globals and its violation reporter, and, as `api`, the module
 * that workflow code receives for \`import … from 'aion/workflow'\`.
 */
export { createActivator } from './internal/activator.js';
export { reportViolation } from './internal/errors.js';
export {
  workflowSetTimeout as setTimeout,
  workflowClearTimeout as clearTimeout,
} from './timers.js';
export { ACTIVATION_PROTOCOL_VERSION } from '../core/index.js';
export * as api from './index.js';
