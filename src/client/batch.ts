// Batch operations over the API: one cancel/terminate/signal/reset applied to every run a
// visibility query matches, run by the server as a job the client starts, polls and stops.
import type { WorkflowExecutionInfo } from '../core/index.js';
import type { Connection } from './connection.js';
import { infoFromJson, namespacePath } from './wire.js';

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

/** What a batch job would change: nothing is started (see `BatchClient.dryRun`). */
export interface BatchDryRunInfo {
  readonly dryRun: true;
  /** Runs the query matches now. */
  readonly matched: number;
  /** The first of them (at most 20), in the order a job would take them. */
  readonly sample: readonly WorkflowExecutionInfo[];
}

/** `client.batch`: batch jobs of one namespace. */
export interface BatchClient {
  start(options: {
    query: string;
    operation: BatchOperation;
    jobId?: string;
  }): Promise<BatchJobInfo>;
  /**
   * Checks the query and operation as `start` does and answers what the job would match,
   * starting and storing nothing (operator role).
   */
  dryRun(options: { query: string; operation: BatchOperation }): Promise<BatchDryRunInfo>;
  describe(jobId: string): Promise<BatchJobInfo>;
  list(): Promise<BatchJobInfo[]>;
  stop(jobId: string): Promise<BatchJobInfo>;
}

export function batchClient(c: Connection, namespace: string): BatchClient {
  const base = `${namespacePath(namespace)}/batches`;
  return {
    start: (options) => c.request('POST', base, { body: options }),
    dryRun: async (options) => {
      const out = await c.request<{ matched: number; sample: Record<string, unknown>[] }>(
        'POST',
        base,
        { body: { query: options.query, operation: options.operation, dryRun: true } },
      );
      return { dryRun: true, matched: out.matched, sample: out.sample.map(infoFromJson) };
    },
    describe: (jobId) => c.request('GET', `${base}/${encodeURIComponent(jobId)}`),
    list: async () => (await c.request<{ jobs: BatchJobInfo[] }>('GET', base)).jobs,
    stop: (jobId) => c.request('POST', `${base}/${encodeURIComponent(jobId)}/stop`, { body: {} }),
  };
}
