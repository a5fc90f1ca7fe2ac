// Server benchmark (`npm run bench -- server`): S1 (workflows of three sequential activities)
// over the HTTP API with one remote worker process, beside embedded S1 measured in the same
// run. Both run in fresh child processes — embedded S1 through the engine benchmark's own
// child (engine-child.ts), the server variant through server-child.ts — and this file emits
// one JSON line for each, the server line carrying the server/embedded ratios.
//   AION_BENCH_SERVER_WORKFLOWS   workflows of each throughput phase (default 3000)
//   AION_BENCH_SERVER_CONCURRENCY workflows in flight over the server (default 100)
import { fileURLToPath } from 'node:url';
import { runChild } from './child.js';
import { round, type Emit } from './lib.js';
import type { Figures } from './engine-scenarios.js';

const ENGINE_CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
const SERVER_CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 240_000;
const WORKFLOWS = Number.parseInt(process.env.AION_BENCH_SERVER_WORKFLOWS ?? '3000', 10);
const CONCURRENCY = Number.parseInt(process.env.AION_BENCH_SERVER_CONCURRENCY ?? '100', 10);
const SINGLE_RUNS = 50; // engine-child's S1 default, so both latency samples are the same size

const num = (f: Figures, key: string): number => {
  const v = f[key];
  if (typeof v !== 'number') throw new Error(`figure ${key} missing`);
  return v;
};

export default async function serverBench(emit: Emit): Promise<void> {
  const embeddedName = `s1-embedded-sqlite-${WORKFLOWS}`;
  const serverName = `s1-server-sqlite-${WORKFLOWS}-one-remote-worker`;
  let embedded: Figures | undefined;
  try {
    embedded = await runChild(ENGINE_CHILD, ['s1', String(WORKFLOWS), 'sqlite'], {
      timeoutMs: CHILD_TIMEOUT_MS,
    });
    emit({
      suite: 'server',
      name: embeddedName,
      ...embedded,
      target: 'none (baseline of the server ratios; all workflows started at once)',
      met: null,
    });
  } catch (err) {
    emit({ suite: 'server', name: embeddedName, error: (err as Error).message, met: false });
  }
  try {
    const server = await runChild(
      SERVER_CHILD,
      [String(WORKFLOWS), String(CONCURRENCY), String(SINGLE_RUNS)],
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    emit({
      suite: 'server',
      name: serverName,
      ...server,
      target: 'workflowsPerSec >= 0.6 x embedded S1 and singleRunP50Ms <= 1.3 x embedded, same run',
      met: embedded
        ? num(server, 'workflowsPerSec') / num(embedded, 'workflowsPerSec') >= 0.6 &&
          num(server, 'singleRunP50Ms') / num(embedded, 'singleRunP50Ms') <= 1.3
        : false,
      ...(embedded && {
        ratios: {
          throughputVsEmbedded: round(
            num(server, 'workflowsPerSec') / num(embedded, 'workflowsPerSec'),
            3,
          ),
          singleRunP50VsEmbedded: round(
            num(server, 'singleRunP50Ms') / num(embedded, 'singleRunP50Ms'),
            2,
          ),
          singleRunP99VsEmbedded: round(
            num(server, 'singleRunP99Ms') / num(embedded, 'singleRunP99Ms'),
            2,
          ),
        },
      }),
    });
  } catch (err) {
    emit({ suite: 'server', name: serverName, error: (err as Error).message, met: false });
  }
}
