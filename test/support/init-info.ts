// The init info a sandbox instance is created with, for tests that drive a PackageSandbox.
import type { WorkflowInitInfo } from '../../src/core/index.js';

export function sandboxInitInfo(
  workflowType: string,
  runId = '11111111-1111-4111-8111-111111111111',
  workflowId = 'wf',
): WorkflowInitInfo {
  return {
    namespace: 'default',
    workflowId,
    runId,
    workflowType,
    taskQueue: 'default',
    startTime: 1_000_000,
    version: 'v',
    firstRunId: runId,
    randomSeed: runId,
    attempt: 1,
  };
}
