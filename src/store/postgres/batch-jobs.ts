/** Batch jobs on PostgreSQL: one row per (namespace, job id), shared by every node. */
import type { BatchJobProgress, BatchJobRecord } from '../contract/index.js';
import {
  BATCH_JOB_COLUMNS,
  batchJobFromRow,
  batchJobValues,
  validateBatchJob,
  validateBatchJobProgress,
  type BatchJobRow,
} from '../shared/index.js';
import type { PgDriver, Row } from './driver.js';

const PLACEHOLDERS = BATCH_JOB_COLUMNS.split(',')
  .map((_, i) => `$${i + 1}`)
  .join(', ');
const UPDATE_COLUMNS = BATCH_JOB_COLUMNS.split(', ')
  .filter((c) => c !== 'namespace' && c !== 'job_id')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

const fromRow = (r: Row): BatchJobRecord => batchJobFromRow(r as unknown as BatchJobRow);

/**
 * Inserts the job, or replaces a closed one; a RUNNING one stays (the upsert's WHERE) and is
 * read back. Concurrent creates of one id serialise on the primary key.
 */
export async function createBatchJob(
  db: PgDriver,
  s: string,
  job: BatchJobRecord,
): Promise<{ readonly created: boolean; readonly job: BatchJobRecord }> {
  validateBatchJob(job);
  return db.tx('createBatchJob', async (q) => {
    const written = await q.query(
      `INSERT INTO ${s}.batch_jobs (${BATCH_JOB_COLUMNS}) VALUES (${PLACEHOLDERS})
       ON CONFLICT (namespace, job_id) DO UPDATE SET ${UPDATE_COLUMNS}
         WHERE ${s}.batch_jobs.state <> 'RUNNING'
       RETURNING ${BATCH_JOB_COLUMNS}`,
      batchJobValues(job),
    );
    if (written[0] !== undefined) return { created: true, job: fromRow(written[0]) };
    const rows = await q.query(
      `SELECT ${BATCH_JOB_COLUMNS} FROM ${s}.batch_jobs WHERE namespace = $1 AND job_id = $2`,
      [job.namespace, job.jobId],
    );
    return { created: false, job: fromRow(rows[0]!) };
  });
}

export async function getBatchJob(
  db: PgDriver,
  s: string,
  namespace: string,
  jobId: string,
): Promise<BatchJobRecord | undefined> {
  const rows = await db.query(
    `SELECT ${BATCH_JOB_COLUMNS} FROM ${s}.batch_jobs WHERE namespace = $1 AND job_id = $2`,
    [namespace, jobId],
    'getBatchJob',
  );
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}

export async function listBatchJobs(
  db: PgDriver,
  s: string,
  namespace: string,
  limit: number,
): Promise<BatchJobRecord[]> {
  const rows = await db.query(
    `SELECT ${BATCH_JOB_COLUMNS} FROM ${s}.batch_jobs WHERE namespace = $1
     ORDER BY started_at DESC, job_id DESC LIMIT $2`,
    [namespace, Math.max(0, limit)],
    'listBatchJobs',
  );
  return rows.map(fromRow);
}

export async function updateBatchJob(
  db: PgDriver,
  s: string,
  key: { readonly namespace: string; readonly jobId: string; readonly owner: string },
  p: BatchJobProgress,
): Promise<BatchJobRecord | undefined> {
  validateBatchJobProgress(p);
  const rows = await db.query(
    `UPDATE ${s}.batch_jobs SET matched = $4, succeeded = $5, skipped = $6, failed = $7,
       failures = $8, state = $9, closed_at = $10, error = $11, lease_until = $12
     WHERE namespace = $1 AND job_id = $2 AND owner = $3 AND state = 'RUNNING'
     RETURNING ${BATCH_JOB_COLUMNS}`,
    [
      key.namespace,
      key.jobId,
      key.owner,
      p.matched,
      p.succeeded,
      p.skipped,
      p.failed,
      JSON.stringify(p.failures),
      p.state,
      p.closedAt,
      p.error,
      p.leaseUntil,
    ],
    'updateBatchJob',
  );
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}

export async function requestBatchJobStop(
  db: PgDriver,
  s: string,
  namespace: string,
  jobId: string,
): Promise<BatchJobRecord | undefined> {
  await db.query(
    `UPDATE ${s}.batch_jobs SET stop_requested = 1
     WHERE namespace = $1 AND job_id = $2 AND state = 'RUNNING'`,
    [namespace, jobId],
    'requestBatchJobStop',
  );
  return getBatchJob(db, s, namespace, jobId);
}

/** Rows locked by another claimer are skipped, so each expired job goes to one node. */
export async function claimBatchJobs(
  db: PgDriver,
  s: string,
  owner: string,
  times: { readonly now: number; readonly leaseUntil: number },
  limit: number,
): Promise<BatchJobRecord[]> {
  const rows = await db.query(
    `WITH due AS MATERIALIZED (
       SELECT namespace, job_id FROM ${s}.batch_jobs
       WHERE state = 'RUNNING' AND lease_until <= $3
       ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE ${s}.batch_jobs AS b SET owner = $1, lease_until = $2
     FROM due
     WHERE b.namespace = due.namespace AND b.job_id = due.job_id
     RETURNING ${BATCH_JOB_COLUMNS.split(', ')
       .map((c) => `b.${c}`)
       .join(', ')}`,
    [owner, times.leaseUntil, times.now, Math.max(0, limit)],
    'claimBatchJobs',
  );
  return rows.map(fromRow);
}

export async function purgeBatchJobs(
  db: PgDriver,
  s: string,
  before: number,
  limit: number,
): Promise<number> {
  const rows = await db.query(
    `DELETE FROM ${s}.batch_jobs WHERE (namespace, job_id) IN (
       SELECT namespace, job_id FROM ${s}.batch_jobs
       WHERE closed_at IS NOT NULL AND closed_at < $1 LIMIT $2)
     RETURNING 1`,
    [before, Math.max(0, limit)],
    'purgeBatchJobs',
  );
  return rows.length;
}
