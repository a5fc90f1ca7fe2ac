// The batch-job part of the store contract: jobs that apply one operation to every run a
// visibility query matches. Kept in the store so every node of a cluster sees the same jobs
// (get, list, stop) and a job outlives the node running it: the runner holds a lease on its
// job, renewed with every progress write, and a job whose lease expired is claimed by
// another node, which runs it again (operations are idempotent per run).
import type { Payload } from '../../core/index.js';

export type BatchJobState = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/**
 * What a job does to each run. Signal arguments are stored as payloads, so the engine's
 * payload codecs encode them like every other piece of user data at rest.
 */
export type BatchJobOperation =
  | { readonly type: 'cancel'; readonly reason?: string }
  | { readonly type: 'terminate'; readonly reason?: string }
  | { readonly type: 'signal'; readonly signal: string; readonly args: readonly Payload[] }
  | {
      readonly type: 'reset';
      readonly to?: number | 'firstWorkflowTask' | 'lastWorkflowTask';
      readonly reason?: string;
    };

/** A run the job could not change, for diagnosis. */
export interface BatchJobFailure {
  readonly workflowId: string;
  readonly runId: string;
  readonly code: string;
  readonly message: string;
}

/** What the runner writes as it goes: counts, and at the end the state it closed in. */
export interface BatchJobProgress {
  readonly matched: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly failures: readonly BatchJobFailure[];
  readonly state: BatchJobState;
  /** When the job closed (ms); `null` while it runs. */
  readonly closedAt: number | null;
  readonly error: string | null;
  /** The runner's lease, renewed with every write (ms). */
  readonly leaseUntil: number;
}

export interface BatchJobRecord extends Omit<BatchJobProgress, 'leaseUntil'> {
  readonly namespace: string;
  readonly jobId: string;
  readonly query: string;
  readonly operation: BatchJobOperation;
  /** Who started the job. */
  readonly subject: string;
  readonly startedAt: number;
  /** Set by a stop request; the runner sees it at its next progress write and closes the job. */
  readonly stopRequested: boolean;
  /** The runner holding the job; live while `now < leaseUntil`. */
  readonly owner: string;
  readonly leaseUntil: number;
}

export interface BatchJobStore {
  /**
   * Writes a new job. A RUNNING job with the same (namespace, jobId) is kept and returned
   * (`created: false`); a closed one is replaced (its counts start again).
   */
  createBatchJob(
    job: BatchJobRecord,
  ): Promise<{ readonly created: boolean; readonly job: BatchJobRecord }>;
  getBatchJob(namespace: string, jobId: string): Promise<BatchJobRecord | undefined>;
  /** The namespace's jobs, newest first (start time, then job id, descending), at most `limit`. */
  listBatchJobs(namespace: string, limit: number): Promise<BatchJobRecord[]>;
  /**
   * Writes the runner's progress (and renews its lease) if `owner` still holds the RUNNING
   * job; the record as written, or `undefined` (nothing written) when the job is closed,
   * unknown, or was claimed by another runner.
   */
  updateBatchJob(
    namespace: string,
    jobId: string,
    owner: string,
    progress: BatchJobProgress,
  ): Promise<BatchJobRecord | undefined>;
  /** Sets the stop flag of a RUNNING job (a closed job is left as is); the record, if any. */
  requestBatchJobStop(namespace: string, jobId: string): Promise<BatchJobRecord | undefined>;
  /**
   * Takes up to `limit` RUNNING jobs (any namespace) whose lease expired (`leaseUntil <= now`):
   * each gets `owner` and `leaseUntil`. Of concurrent claimers each job goes to one.
   */
  claimBatchJobs(
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<BatchJobRecord[]>;
  /** Deletes up to `limit` closed jobs with `closedAt < before`; how many were deleted. */
  purgeBatchJobs(before: number, limit: number): Promise<number>;
}
