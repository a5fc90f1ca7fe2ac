// Every run case of the SDK yardstick, and the Temporal tests left out of the count.
import type { ExcludedTest, SdkCase } from '../case.js';
import { INTEGRATION_ONE_CASES } from './test-integration-one.js';
import { INTEGRATION_TWO_CASES } from './test-integration-two.js';
import { WORKFLOWS_CASES } from './test-workflows.js';
import {
  CANCELLATION_CASES,
  ORDERING_CASES,
  PATCH_AND_ORDER_CASES,
} from './test-workflows-cancellation.js';

export const ALL_CASES: readonly SdkCase[] = [
  ...WORKFLOWS_CASES,
  ...CANCELLATION_CASES,
  ...PATCH_AND_ORDER_CASES,
  ...ORDERING_CASES,
  ...INTEGRATION_ONE_CASES,
  ...INTEGRATION_TWO_CASES,
];

export const EXCLUDED: readonly ExcludedTest[] = [];
