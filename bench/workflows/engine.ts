// Workflow fixtures of the engine benchmark (`npm run bench -- engine`).
import { condition, defineSignal, proxyActivities, setHandler, sleep } from 'aion/workflow';

export interface BenchActivities {
  step(n: number): Promise<{ n: number; ok: boolean }>;
}

const acts = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });

/** S1: three sequential activities returning small objects. */
export async function threeSteps(): Promise<number> {
  const a = await acts.step(1);
  const b = await acts.step(a.n + 1);
  const c = await acts.step(b.n + 1);
  return c.n;
}

/** S2: `n` activities at once with Promise.all. */
export async function fanOut(n: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => acts.step(i)));
  return results.length;
}

/** S3: one durable timer. */
export async function sleeper(ms: number): Promise<void> {
  await sleep(ms);
}

/** Replay: `n` sequential activities (3 events each plus start/terminal). */
export async function longChain(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (await acts.step(i)).n;
  return sum;
}

export const wake = defineSignal('wake');

/** Density: waits for one signal. */
export async function waiter(): Promise<void> {
  let woken = false;
  setHandler(wake, () => {
    woken = true;
  });
  await condition(() => woken);
}

/** Schedules: the smallest action a schedule can start (completes in its first activation). */
export async function tick(): Promise<number> {
  return 1;
}
