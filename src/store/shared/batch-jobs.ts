// Batch-job rows shared by the adapters: validation at the store edge, the JSON text the SQL
// stores keep for the operation and the failures, and the listing order.
import { invalidArgument, validateNamespace } from '../../core/index.js';
import type {
  BatchJobFailure,
  BatchJobOperation,
  BatchJobProgress,
  BatchJobRecord,
} from '../contract/index.js';

const STATES = new Set(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);

function count(value: unknown, field: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidArgument(`${field} must be a non-negative integer`, { field });
  }
}

/** Checks the fields a progress write sets; throws `invalid_argument`. */
export function validateBatchJobProgress(p: BatchJobProgress): void {
  for (const field of ['matched', 'succeeded', 'skipped', 'failed', 'leaseUntil'] as const) {
    count(p[field], field);
  }
  if (!STATES.has(p.state)) throw invalidArgument('unknown batch job state', { field: 'state' });
  if (p.closedAt !== null) count(p.closedAt, 'closedAt');
  if ((p.state === 'RUNNING') !== (p.closedAt === null)) {
    throw invalidArgument('closedAt is set exactly when the job is closed', { field: 'closedAt' });
  }
}

/** Checks a new job; throws `invalid_argument`. */
export function validateBatchJob(job: BatchJobRecord): void {
  validateNamespace(job.namespace);
  if (typeof job.jobId !== 'string' || job.jobId.length === 0 || job.jobId.length > 200) {
    throw invalidArgument('jobId must be a string of 1-200 characters', { field: 'jobId' });
  }
  if (typeof job.query !== 'string' || job.query.length === 0) {
    throw invalidArgument('query must be a non-empty string', { field: 'query' });
  }
  if (typeof job.owner !== 'string' || job.owner.length === 0) {
    throw invalidArgument('owner must be a non-empty string', { field: 'owner' });
  }
  count(job.startedAt, 'startedAt');
  validateBatchJobProgress(job);
}

/** Newest first: start time, then job id, descending (code-point order). */
export function compareBatchJobsNewestFirst(a: BatchJobRecord, b: BatchJobRecord): number {
  if (a.startedAt !== b.startedAt) return b.startedAt - a.startedAt;
  return a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0;
}

/** A SQL row of `batch_jobs` (times as numbers, JSON as text, the flag as 0/1 or boolean). */
export interface BatchJobRow {
  readonly namespace: string;
  readonly job_id: string;
  readonly query: string;
  readonly operation: string;
  readonly subject: string;
  readonly state: string;
  readonly started_at: number | string;
  readonly closed_at: number | string | null;
  readonly matched: number | string;
  readonly succeeded: number | string;
  readonly skipped: number | string;
  readonly failed: number | string;
  readonly failures: string;
  readonly error: string | null;
  readonly stop_requested: number | boolean;
  readonly owner: string;
  readonly lease_until: number | string;
}

/** The columns of `batch_jobs`, in the order {@link batchJobValues} gives them. */
export const BATCH_JOB_COLUMNS =
  'namespace, job_id, query, operation, subject, state, started_at, closed_at, matched, ' +
  'succeeded, skipped, failed, failures, error, stop_requested, owner, lease_until';

/** A job's column values for an insert (`stop_requested` as 0/1). */
export function batchJobValues(job: BatchJobRecord): (string | number | null)[] {
  return [
    job.namespace,
    job.jobId,
    job.query,
    JSON.stringify(job.operation),
    job.subject,
    job.state,
    job.startedAt,
    job.closedAt,
    job.matched,
    job.succeeded,
    job.skipped,
    job.failed,
    JSON.stringify(job.failures),
    job.error,
    job.stopRequested ? 1 : 0,
    job.owner,
    job.leaseUntil,
  ];
}

export function batchJobFromRow(r: BatchJobRow): BatchJobRecord {
  return {
    namespace: r.namespace,
    jobId: r.job_id,
    query: r.query,
    operation: JSON.parse(r.operation) as BatchJobOperation,
    subject: r.subject,
    state: r.state as BatchJobRecord['state'],
    startedAt: Number(r.started_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    matched: Number(r.matched),
    succeeded: Number(r.succeeded),
    skipped: Number(r.skipped),
    failed: Number(r.failed),
    failures: JSON.parse(r.failures) as BatchJobFailure[],
    error: r.error,
    stopRequested: r.stop_requested === true || r.stop_requested === 1,
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
  };
}
