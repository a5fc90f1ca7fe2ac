// The activity of the `aion bench` workflows (workflows.ts): returns at once, so the figures
// measure scheduling, dispatch and durable commits rather than activity work.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const benchActivities = {
  benchStep: (n: number): Promise<{ n: number; ok: boolean }> => Promise.resolve({ n, ok: true }),
};

/** The task queue the bench workflows (and so their activities) run on. */
export const BENCH_TASK_QUEUE = 'aion-bench';

/**
 * The bench workflows module: the built `workflows.js` beside this file in dist/, or the
 * TypeScript source when Aion runs from its sources.
 */
export function benchWorkflowsPath(): string {
  const js = fileURLToPath(new URL('./workflows.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('./workflows.ts', import.meta.url));
}
