/**
 * The store conformance suite: runner-agnostic scenarios every `Store` adapter must pass.
 * Exported from `aion/testing`.
 */
import { badInputScenarios } from './bad-input.js';
import { batchJobScenarios } from './batch-jobs.js';
import { commitScenarios } from './commit.js';
import { commitBatchScenarios } from './commit-batches.js';
import { durabilityScenarios } from './durability.js';
import { historyScenarios } from './history.js';
import { leaseScenarios } from './leases.js';
import { namespaceRegistryScenarios } from './namespace-registry.js';
import { namespaceScenarios } from './namespaces.js';
import { outboxScenarios } from './outbox.js';
import { packageScenarios } from './packages.js';
import { payloadScenarios } from './payloads.js';
import { retentionScenarios } from './retention.js';
import { runScenarios } from './runs.js';
import { runAuditScenarios } from './run-audit.js';
import { searchAttributeSchemaScenarios } from './search-attribute-schema.js';
import { securityScenarios } from './security.js';
import { startScenarios } from './starts.js';
import { taskLeaseScenarios } from './task-leases.js';
import { runStoreConformance as run, type RunStoreConformanceOptions } from './runner.js';
import { scheduleScenarios } from './schedules.js';
import { shardScenarios } from './shards.js';
import { taskScenarios } from './tasks.js';
import { timerScenarios } from './timers.js';
import type { StoreScenario } from './types.js';
import { validationScenarios } from './validation.js';
import { visibilityFilterScenarios } from './visibility-filters.js';
import { visibilityPageScenarios } from './visibility-pages.js';

/** Every scenario, grouped by topic. Names are unique and stable. */
export const storeConformanceScenarios: readonly StoreScenario[] = Object.freeze([
  ...historyScenarios,
  ...validationScenarios,
  ...badInputScenarios,
  ...commitScenarios,
  ...commitBatchScenarios,
  ...startScenarios,
  ...runScenarios,
  ...timerScenarios,
  ...taskScenarios,
  ...taskLeaseScenarios,
  ...leaseScenarios,
  ...shardScenarios,
  ...outboxScenarios,
  ...visibilityFilterScenarios,
  ...visibilityPageScenarios,
  ...searchAttributeSchemaScenarios,
  ...packageScenarios,
  ...retentionScenarios,
  ...payloadScenarios,
  ...namespaceScenarios,
  ...namespaceRegistryScenarios,
  ...securityScenarios,
  ...runAuditScenarios,
  ...scheduleScenarios,
  ...batchJobScenarios,
  ...durabilityScenarios,
]);

/** Registers every conformance scenario (or `options.scenarios`) with a test runner. */
export function runStoreConformance(options: RunStoreConformanceOptions): void {
  run(options, storeConformanceScenarios);
}

export { runScenario, skipReason, type RunStoreConformanceOptions } from './runner.js';
export type {
  ScenarioContext,
  StoreHandle,
  StoreHarness,
  StoreHarnessCreateOptions,
  StoreNeed,
  StoreScenario,
} from './types.js';
export * as storeFixtures from './fixtures.js';
