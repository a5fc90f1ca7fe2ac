// Batch operations over the API: one cancel/terminate/signal/reset applied to every run a
// visibility query matches, run by the server as a job the client starts, polls and stops.
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** A batch operation applied to every run a visibility query matches. */
export type BatchOperation =
  | { readonly type: 'cancel'; readonly reason?: string }
  | { readonly type: 'terminate'; readonly reason?: string }
  | { readonly type: 'signal'; readonly signal: string; readonly args?: readonly unknown[] }
  | {
      readonly type: 'reset';
      readonly to?: number | 'firstWorkflowTask' | 'lastWorkflowTask';
      readonly reason?: string;
    };

/** A batch job's progress. */
export interface BatchJobInfo {
  readonly jobId: string;
  readonly namespace: string;
  readonly query: string;
  readonly operation: BatchOperation;
  readonly state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  readonly startedAt: string;
  readonly closedAt?: string;
  readonly matched: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly failures: readonly {
    workflowId: string;
    runId: string;
    code: string;
    message: string;
  }[];
  readonly error?: string;
}

/** `client.batch`: batch jobs of one namespace. */
export interface BatchClient {
  start(options: {
    query: string;
    operation: BatchOperation;
    jobId?: string;
  }): Promise<BatchJobInfo>;
  describe(jobId: string): Promise<BatchJobInfo>;
  list(): Promise<BatchJobInfo[]>;
  stop(jobId: string): Promise<BatchJobInfo>;
}

export function batchClient(c: Connection, namespace: string): BatchClient {
  const base = `${namespacePath(namespace)}/batches`;
  return {
    start: (options) => c.request('POST', base, { body: options }),
    describe: (jobId) => c.request('GET', `${base}/${encodeURIComponent(jobId)}`),
    list: async () => (await c.request<{ jobs: BatchJobInfo[] }>('GET', base)).jobs,
    stop: (jobId) => c.request('POST', `${base}/${encodeURIComponent(jobId)}/stop`, { body: {} }),
  };
}
