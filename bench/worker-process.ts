// The remote worker process of the server benchmarks (server-worker.ts): waiting for it to
// register with the engine, and stopping it.
import type { ChildProcess } from 'node:child_process';
import type { Engine } from '../src/index.js';
import { nowMs } from './lib.js';

const REGISTER_TIMEOUT_MS = 30_000;

/** Resolves once a worker of the bench queue is registered; rejects if the process dies first. */
export async function registered(engine: Engine, child: ChildProcess): Promise<void> {
  const deadline = nowMs() + REGISTER_TIMEOUT_MS;
  while (!(await engine.workers()).workers.some((w) => w.taskQueue === 'default')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `worker process ended (${child.signalCode ?? child.exitCode}) before registering`,
      );
    if (nowMs() > deadline) throw new Error('timed out waiting for the worker to register');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGTERM (graceful worker shutdown), SIGKILL if it lingers; resolves once it exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
