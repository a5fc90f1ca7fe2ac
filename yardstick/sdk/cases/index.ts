// Every run case of the SDK yardstick, and the Temporal tests left out of the count.
import type { SdkCase } from '../case.js';
import { INTEGRATION_ONE_CASES } from './test-integration-one.js';
import { OPTIONS_CASES } from './test-integration-options.js';
import { INTEGRATION_TWO_CASES } from './test-integration-two.js';
import { WORKFLOWS_CASES } from './test-workflows.js';
import {
  CANCELLATION_CASES,
  ORDERING_CASES,
  PATCH_AND_ORDER_CASES,
} from './test-workflows-cancellation.js';
import { UPDATE_CASES } from './test-workflows-updates.js';

export { EXCLUDED } from './excluded.js';

export const ALL_CASES: readonly SdkCase[] = [
  ...WORKFLOWS_CASES,
  ...CANCELLATION_CASES,
  ...PATCH_AND_ORDER_CASES,
  ...ORDERING_CASES,
  ...UPDATE_CASES,
  ...INTEGRATION_ONE_CASES,
  ...INTEGRATION_TWO_CASES,
  ...OPTIONS_CASES,
];
