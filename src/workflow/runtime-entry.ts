/**
 * Imported by every package bundle's entry (never by user code). Exposes the activator
 * factory to the host through the bundle's exports.
 */
export { createActivator } from './internal/activator.js';
export { ACTIVATION_PROTOCOL_VERSION } from '../core/index.js';
