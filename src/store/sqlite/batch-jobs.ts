/** Batch jobs on SQLite: one row per (namespace, job id); see the PostgreSQL twin. */
import type Database from 'better-sqlite3';
import type { BatchJobProgress, BatchJobRecord } from '../contract/index.js';
import {
  BATCH_JOB_COLUMNS,
  batchJobFromRow,
  batchJobValues,
  validateBatchJob,
  validateBatchJobProgress,
  type BatchJobRow,
} from '../shared/index.js';

const PLACEHOLDERS = BATCH_JOB_COLUMNS.split(',')
  .map(() => '?')
  .join(', ');

export class BatchJobTables {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], BatchJobRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare(
      `SELECT ${BATCH_JOB_COLUMNS} FROM batch_jobs WHERE namespace = ? AND job_id = ?`,
    );
  }

  create(job: BatchJobRecord): { readonly created: boolean; readonly job: BatchJobRecord } {
    validateBatchJob(job);
    return this.#db.transaction(() => {
      const existing = this.#get.get(job.namespace, job.jobId);
      if (existing?.state === 'RUNNING') return { created: false, job: batchJobFromRow(existing) };
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO batch_jobs (${BATCH_JOB_COLUMNS}) VALUES (${PLACEHOLDERS})`,
        )
        .run(...batchJobValues(job));
      return { created: true, job: batchJobFromRow(this.#get.get(job.namespace, job.jobId)!) };
    })();
  }

  get(namespace: string, jobId: string): BatchJobRecord | undefined {
    const row = this.#get.get(namespace, jobId);
    return row === undefined ? undefined : batchJobFromRow(row);
  }

  list(namespace: string, limit: number): BatchJobRecord[] {
    const rows = this.#db
      .prepare<[string, number], BatchJobRow>(
        `SELECT ${BATCH_JOB_COLUMNS} FROM batch_jobs WHERE namespace = ?
         ORDER BY started_at DESC, job_id DESC LIMIT ?`,
      )
      .all(namespace, Math.max(0, limit));
    return rows.map(batchJobFromRow);
  }

  update(
    namespace: string,
    jobId: string,
    owner: string,
    p: BatchJobProgress,
  ): BatchJobRecord | undefined {
    validateBatchJobProgress(p);
    const row = this.#db
      .prepare<unknown[], BatchJobRow>(
        `UPDATE batch_jobs SET matched = ?, succeeded = ?, skipped = ?, failed = ?, failures = ?,
           state = ?, closed_at = ?, error = ?, lease_until = ?
         WHERE namespace = ? AND job_id = ? AND owner = ? AND state = 'RUNNING'
         RETURNING ${BATCH_JOB_COLUMNS}`,
      )
      .get(
        p.matched,
        p.succeeded,
        p.skipped,
        p.failed,
        JSON.stringify(p.failures),
        p.state,
        p.closedAt,
        p.error,
        p.leaseUntil,
        namespace,
        jobId,
        owner,
      );
    return row === undefined ? undefined : batchJobFromRow(row);
  }

  requestStop(namespace: string, jobId: string): BatchJobRecord | undefined {
    this.#db
      .prepare(
        `UPDATE batch_jobs SET stop_requested = 1
         WHERE namespace = ? AND job_id = ? AND state = 'RUNNING'`,
      )
      .run(namespace, jobId);
    return this.get(namespace, jobId);
  }

  claim(owner: string, now: number, leaseUntil: number, limit: number): BatchJobRecord[] {
    const rows = this.#db
      .prepare<[string, number, number, number], BatchJobRow>(
        `UPDATE batch_jobs SET owner = ?, lease_until = ?
         WHERE rowid IN (SELECT rowid FROM batch_jobs
           WHERE state = 'RUNNING' AND lease_until <= ? ORDER BY lease_until LIMIT ?)
         RETURNING ${BATCH_JOB_COLUMNS}`,
      )
      .all(owner, leaseUntil, now, Math.max(0, limit));
    return rows.map(batchJobFromRow);
  }

  purge(before: number, limit: number): number {
    return this.#db
      .prepare(
        `DELETE FROM batch_jobs WHERE rowid IN (SELECT rowid FROM batch_jobs
           WHERE closed_at IS NOT NULL AND closed_at < ? LIMIT ?)`,
      )
      .run(before, Math.max(0, limit)).changes;
  }
}
