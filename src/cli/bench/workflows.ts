// The workflows `aion bench` runs, built into a package at run time like any `workflowsPath`
// (the built JavaScript of this file ships in dist/cli/bench/). Their one activity is
// `benchStep` (activities.ts), which does no work: the figures measure the engine and store.
import { proxyActivities, sleep } from 'aion/workflow';

interface BenchActivities {
  benchStep(n: number): Promise<{ n: number; ok: boolean }>;
}

const acts = proxyActivities<BenchActivities>({ startToCloseTimeout: '60s' });

/** S1: three sequential activities returning small objects. */
export async function benchThreeSteps(): Promise<number> {
  const a = await acts.benchStep(1);
  const b = await acts.benchStep(a.n + 1);
  const c = await acts.benchStep(b.n + 1);
  return c.n;
}

/** S2: `n` activities at once with Promise.all. */
export async function benchFanOut(n: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => acts.benchStep(i)));
  return results.length;
}

/** S3: one durable timer. */
export async function benchSleeper(ms: number): Promise<void> {
  await sleep(ms);
}
