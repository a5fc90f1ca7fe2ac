// The fault-injecting store's door: a `Store` wrapper that injects seeded, reproducible faults.
export {
  createFaultInjectingStore,
  FAULT_STORE_METHODS,
  type FaultInjectingStore,
} from './fault-store.js';
export type {
  FaultCounters,
  FaultKind,
  FaultRates,
  FaultStoreOptions,
  InjectedFault,
  StoreMethod,
} from './options.js';
export { seededRandom } from './prng.js';
