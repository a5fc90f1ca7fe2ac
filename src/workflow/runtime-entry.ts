/**
 * Entry of a package's runtime section (never imported by user code): evaluated once per
 * package sandbox. Exposes the activator factory and, as `api`, the module that workflow
 * code receives for \`import … from 'aion/workflow'\`.
 */
export { createActivator } from './internal/activator.js';
export { ACTIVATION_PROTOCOL_VERSION } from '../core/index.js';
export * as api from './index.js';
