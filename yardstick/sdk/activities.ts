// Activities the Temporal test workflows call, written for the yardstick (same names and
// results as the SDK's test activities, so the workflows' results can be compared).
import { ApplicationFailure, Context } from '../../src/activity/index.js';
import type { EngineOptions } from '../../src/index.js';

type Activities = NonNullable<EngineOptions['activities']>;

export const html = (url: string): string => `<html><body>hello from ${url}</body></html>`;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class NonRetryableError extends Error {
  override readonly name = 'NonRetryableError';
}
class RetryableError extends Error {
  override readonly name = 'RetryableError';
}
class CustomError extends Error {}

/** Throws the error `type` names, as the SDK's failure-tester activity does. */
export const throwSpecificError = async (type: string, message: string): Promise<never> => {
  await Promise.resolve();
  const F = ApplicationFailure;
  const errors: Record<string, () => Error> = {
    NonRetryableError: () => new NonRetryableError(message),
    RetryableError: () => new RetryableError(message),
    CustomError: () => new CustomError(message),
    NonRetryableApplicationFailureWithRetryableFlag: () =>
      F.retryable(message, 'NonRetryableError'),
    NonRetryableApplicationFailureWithNonRetryableFlag: () =>
      F.nonRetryable(message, 'NonRetryableError'),
    RetryableApplicationFailureWithRetryableFlag: () => F.retryable(message, 'RetryableError'),
    RetryableApplicationFailureWithNonRetryableFlag: () =>
      F.nonRetryable(message, 'RetryableError'),
    RetryableApplicationFailureWithDetails: () =>
      F.retryable(message, 'RetryableError', 'detail1', 'detail2'),
  };
  throw (errors[type] ?? (() => new Error(`unknown error type ${type}`)))();
};

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
  throwSpecificError,
  // Reads until cancelled (the SDK's fetches a never-ending body), heartbeating progress.
  cancellableFetch: async () => {
    for (let i = 1; ; i++) {
      await Context.current().sleep(100);
      Context.current().heartbeat(i);
    }
  },
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
