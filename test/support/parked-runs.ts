import { expect } from 'vitest';
import type { WorkflowHandle } from '../../src/index.js';

/** Waits until `check` holds (its errors fail the wait at once). */
export async function untilTrue(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits for the run of `h` to be parked as stuck, expects it still RUNNING, and gives the reason. */
export async function parkedReason(h: WorkflowHandle): Promise<string> {
  await untilTrue(
    `${h.workflowId} to be parked`,
    async () => (await h.describe()).stuck !== undefined,
  );
  const described = await h.describe();
  expect(described.status).toBe('RUNNING');
  return described.stuck!.reason;
}
