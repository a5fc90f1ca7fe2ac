// Completing activities from outside a worker: the calls that settle an activity which
// returned `CompleteAsyncError`, addressed by its task token.
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** `client.activity`: completes or fails an asynchronously completed activity. */
export interface ActivityCompletionClient {
  complete(taskToken: string, result?: unknown): Promise<void>;
  fail(
    taskToken: string,
    failure: { message: string; type?: string; details?: unknown[] },
  ): Promise<void>;
}

export function activityCompletionClient(
  c: Connection,
  namespace: string,
): ActivityCompletionClient {
  const base = `${namespacePath(namespace)}/activities`;
  return {
    complete: async (taskToken, result) => {
      await c.request('POST', `${base}/complete`, {
        body: { taskToken, ...(result !== undefined ? { result } : {}) },
      });
    },
    fail: async (taskToken, failure) => {
      await c.request('POST', `${base}/fail`, { body: { taskToken, ...failure } });
    },
  };
}
