import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  defaultWorkflowHeapLimitMb,
  WORKFLOW_YOUNG_GENERATION_MB,
  workflowThreadResourceLimits,
} from './resource-limits.js';

describe('workflow thread resource limits', () => {
  it('caps the old generation at the heap limit and keeps the young generation small', () => {
    expect(workflowThreadResourceLimits(1_506)).toEqual({
      maxOldGenerationSizeMb: 1_506,
      maxYoungGenerationSizeMb: WORKFLOW_YOUNG_GENERATION_MB,
    });
    expect(WORKFLOW_YOUNG_GENERATION_MB).toBeLessThan(defaultWorkflowHeapLimitMb(0));
  });

  it('are limits V8 accepts for a thread (a thread started with them runs)', async () => {
    const limits = workflowThreadResourceLimits(defaultWorkflowHeapLimitMb(10_000));
    const worker = new Worker(
      `require('node:worker_threads').parentPort.postMessage(require('node:worker_threads').resourceLimits)`,
      { eval: true, resourceLimits: limits },
    );
    const seen = await new Promise<Record<string, number>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen.maxOldGenerationSizeMb).toBe(limits.maxOldGenerationSizeMb);
    expect(seen.maxYoungGenerationSizeMb).toBe(limits.maxYoungGenerationSizeMb);
  });
});
