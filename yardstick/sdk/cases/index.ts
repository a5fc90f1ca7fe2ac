// Every run case of the SDK yardstick, and the Temporal tests left out of the count.
import type { ExcludedTest, SdkCase } from '../case.js';
import { WORKFLOWS_CASES } from './test-workflows.js';

export const ALL_CASES: readonly SdkCase[] = [...WORKFLOWS_CASES];

export const EXCLUDED: readonly ExcludedTest[] = [];
