/**
 * `aion/testing`: tools for testing Aion itself and code built on it.
 *
 * - {@link TestWorkflowEnvironment}: an engine for tests, with a time-skipping virtual clock
 *   (`createTimeSkipping`) or the wall clock (`createLocal`).
 * - Replay helpers ({@link replayHistory}, {@link replayHistories}, {@link loadHistoryFile}):
 *   check recorded (golden) histories against current workflow code.
 * - {@link checkCrashAtEveryStep}: simulates a crash at every workflow task boundary of a run
 *   and checks that each recovery reproduces the original history.
 * - The store conformance suite ({@link runStoreConformance}, {@link storeConformanceScenarios}):
 *   every `Store` adapter, including third-party ones, must pass it.
 * - {@link MockActivityEnvironment}: runs one activity function with a working activity
 *   context, outside any engine (unit tests of activities).
 * - {@link createFaultInjectingStore}: wraps a `Store` to inject seeded, reproducible faults
 *   (unavailable before or after the call is applied, latency, torn connections, outages).
 */
export {
  runScenario,
  runStoreConformance,
  skipReason,
  storeConformanceScenarios,
  storeFixtures,
  type RunStoreConformanceOptions,
  type ScenarioContext,
  type StoreHandle,
  type StoreHarness,
  type StoreHarnessCreateOptions,
  type StoreNeed,
  type StoreScenario,
} from '../store/conformance/index.js';
export {
  DEFAULT_VIRTUAL_START,
  TestWorkflowEnvironment,
  type TestEnvironmentOptions,
  type TimeSkippingEnvironmentOptions,
} from './environment.js';
export {
  MockActivityEnvironment,
  defaultActivityInfo,
  type MockActivityEnvironmentOptions,
} from './mock-activity-environment.js';
export {
  createFaultInjectingStore,
  FAULT_STORE_METHODS,
  type FaultCounters,
  type FaultInjectingStore,
  type FaultKind,
  type FaultRates,
  type FaultStoreOptions,
  type InjectedFault,
  type StoreMethod,
} from './fault-store/index.js';
export { DEFAULT_MAX_TIME_SKIPS } from './time-skipper.js';
export {
  checkCrashAtEveryStep,
  CrashStepError,
  type CrashAtEveryStepOptions,
  type CrashAtEveryStepResult,
  type CrashStepResult,
} from './crash-steps.js';
export {
  loadHistoryFile,
  parseHistory,
  replayHistories,
  replayHistory,
  writeHistoryFile,
  type ReplayableHistory,
  type ReplayHistoryOptions,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySuccess,
  type ReplayWorkflows,
} from './replay.js';
export { NonDeterminismError } from '../core/index.js';
export { DeadlockError, ReplayCrashError } from '../runtime/index.js';
export { VirtualClock } from '../clock/index.js';
