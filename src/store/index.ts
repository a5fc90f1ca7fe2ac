// The store folder's door for the rest of the code base: the store contract every adapter
// implements, and the store-side rules other layers build on. Adapters have their own doors.
export type * from './contract/index.js';
export {
  isStoreMethod,
  SCHEDULE_TIMER_ID,
  SCHEDULE_TIMER_KIND,
  scheduleTimerRunId,
  STORE_METHODS,
} from './contract/index.js';
export { evaluateExpr, validateExpr } from './shared/expr.js';
export { machineIdentity } from './shared/machine.js';
export { rendezvousOwner, shardOf } from './shared/shards.js';
export { BUILTIN_FIELDS, KEYWORDS } from './shared/search-attribute-rules.js';
export { GROUP_BY_FIELDS, validateGroupBy } from './shared/group-by.js';
