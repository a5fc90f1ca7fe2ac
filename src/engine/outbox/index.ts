// The outbox: messages a commit recorded for after it (child starts and results, close
// policies, external signals and cancels, resets, successors), dispatched and recovered.
export { OutboxDispatcher, type OutboxDispatcherDeps } from './dispatcher.js';
