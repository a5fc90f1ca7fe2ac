// Reads: resolving the run a call addresses, results (with their waiters), describe and
// history, list and count. Nothing here writes to the store.
export { RunResolver, type RunRef } from './run-resolver.js';
export { ResultWaiters } from './results.js';
export { RunDescriber } from './describe.js';
export { RunLister, type CountOptions, type ListResult } from './list.js';
export { storeNodes, type StoreNodesStatus } from './store-nodes.js';
