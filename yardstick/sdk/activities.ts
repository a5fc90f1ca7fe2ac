// Activities the Temporal test workflows call, written for the yardstick (same names and
// results as the SDK's test activities, so the workflows' results can be compared).
import { ApplicationFailure, Context } from '../../src/activity/index.js';
import type { EngineOptions } from '../../src/index.js';

type Activities = NonNullable<EngineOptions['activities']>;

export const html = (url: string): string => `<html><body>hello from ${url}</body></html>`;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Immediate activities. */
export const ACTIVITIES: Activities = {
  echo: async (message?: string) => Promise.resolve(message),
  httpGet: async (url: string) => Promise.resolve(html(url)),
  httpGetJSON: async (url: string) => Promise.resolve({ url }),
  httpPostJSON: async () => Promise.resolve(undefined),
  setup: async () => Promise.resolve(undefined),
  cleanup: async () => Promise.resolve(undefined),
  throwAnError: async (useApplicationFailure: boolean, message: string) => {
    await Promise.resolve();
    if (useApplicationFailure)
      throw ApplicationFailure.nonRetryable(message, 'Error', 'details', 123, false);
    throw new Error(message);
  },
  waitForCancellation: async () => Context.current().cancelled,
  fakeProgress: async (sleepIntervalMs = 1000, numIters = 1000) => {
    for (let progress = 1; progress <= numIters; ++progress) {
      await Context.current().sleep(sleepIntervalMs);
      Context.current().heartbeat(progress);
    }
  },
};

/** An httpGet that fails the way Temporal's test resolves it: `MockError`, not retryable. */
export const failingHttpGet = async (): Promise<never> => {
  await Promise.resolve();
  throw ApplicationFailure.nonRetryable('Connection timeout', 'MockError');
};

/**
 * The same activities, each taking `ms` before it answers (while heartbeating and honouring
 * cancellation), so a case can cancel a run while they are in flight.
 */
export function slowActivities(ms: number): Activities {
  const slow: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(ACTIVITIES)) {
    slow[name] = async (...args: never[]) => {
      await Context.current().sleep(ms);
      return fn(...args);
    };
  }
  return slow;
}

/** Waits `ms` of real time (a drive's pause before it sends the next message). */
export const wait = pause;
