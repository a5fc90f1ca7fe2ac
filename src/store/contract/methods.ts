// The names of the store's I/O methods, for code that wraps every call of a store (the
// engine's health view, the fault-injecting store of `aion/testing`).
import type { Store } from './store.js';

/** The store methods that do I/O: every method of `Store` but `close`. */
export type StoreMethod = {
  [K in keyof Store]-?: Store[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[Exclude<keyof Store, 'close'>];

/** Typed as a record so that adding a method to `Store` without listing it here fails typecheck. */
const LISTED: Readonly<Record<StoreMethod, true>> = {
  append: true,
  commit: true,
  readHistory: true,
  headSeq: true,
  getRun: true,
  getCurrentRun: true,
  getRunChain: true,
  listOpenRuns: true,
  claimDueTimers: true,
  deleteTimer: true,
  listTimers: true,
  nextTimerAt: true,
  claimTasks: true,
  expireLeases: true,
  extendTaskLease: true,
  retryTask: true,
  getTask: true,
  listTasks: true,
  nextTaskAt: true,
  taskQueueStats: true,
  listOutbox: true,
  deleteOutbox: true,
  listRuns: true,
  countRuns: true,
  countRunGroups: true,
  putPackage: true,
  getPackage: true,
  listPackages: true,
  deletePackage: true,
  setRoute: true,
  listRoutes: true,
  purgeClosedRuns: true,
  createNamespace: true,
  updateNamespace: true,
  getNamespace: true,
  listNamespaces: true,
  registerSearchAttributes: true,
  listSearchAttributes: true,
  createApiKey: true,
  getApiKey: true,
  listApiKeys: true,
  revokeApiKey: true,
  touchApiKey: true,
  appendAudit: true,
  readAudit: true,
  pruneAudit: true,
  listTokenSecrets: true,
  addTokenSecret: true,
  retireTokenSecret: true,
  writeSchedule: true,
  getSchedule: true,
  listSchedules: true,
  listScheduleFires: true,
  createBatchJob: true,
  getBatchJob: true,
  listBatchJobs: true,
  updateBatchJob: true,
  requestBatchJobStop: true,
  claimBatchJobs: true,
  purgeBatchJobs: true,
};

/** Every I/O method of `Store`, in contract order (`kind`, `limits` and `close` are not). */
export const STORE_METHODS = Object.keys(LISTED) as readonly StoreMethod[];

/** Whether `name` is one of {@link STORE_METHODS}. */
export function isStoreMethod(name: PropertyKey): name is StoreMethod {
  return typeof name === 'string' && Object.hasOwn(LISTED, name);
}
