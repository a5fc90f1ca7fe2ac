/**
 * `aion/testing`: tools for testing Aion itself and code built on it.
 *
 * - The store conformance suite ({@link runStoreConformance}, {@link storeConformanceScenarios}):
 *   every `Store` adapter, including third-party ones, must pass it.
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
