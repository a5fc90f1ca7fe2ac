// Remote worker of the server benchmark (`npm run bench -- server`), in its own process:
//   node --import tsx --import ./bench/compiled-engine.mjs bench/server-worker.ts <server url> [maxConcurrentActivities]
// Serves the S1 activity (`step`, as in engine-common.ts) on task queue `default` through the
// `aion/worker` SDK, and shuts down gracefully on SIGTERM. With AION_BENCH_ACTIVITY_STAMPS set
// to a file name, it records when each activity started (epoch ms, sub-millisecond) and writes
// them there as a JSON array on SIGTERM (server-single-trace.ts reads them).
import { writeFileSync } from 'node:fs';
import { Worker } from '../src/worker/index.js';

const [address, max] = process.argv.slice(2);
if (!address) {
  process.stderr.write('usage: server-worker.ts <server url> [maxConcurrentActivities]\n');
  process.exit(2);
}

const stampsFile = process.env.AION_BENCH_ACTIVITY_STAMPS;
const stamps: number[] = [];

// Same shape as the embedded S1 activity, so both sides of the ratio run the same work.
const activities = {
  step: (n: number): Promise<{ n: number; ok: boolean }> => {
    if (stampsFile) stamps.push(performance.timeOrigin + performance.now());
    return Promise.resolve({ n, ok: true });
  },
};

const worker = await Worker.create({
  connection: { address },
  taskQueue: 'default',
  activities,
  identity: `bench-worker:${process.pid}`,
  maxConcurrentActivities: max ? Number.parseInt(max, 10) : 200,
  logger: () => undefined,
});
process.on('SIGTERM', () => {
  if (stampsFile) writeFileSync(stampsFile, JSON.stringify(stamps));
  void worker.shutdown();
});
await worker.run();
