// PostgreSQL migration 8: batch jobs in the store, so every node of a cluster sees the same
// jobs and a job whose node stopped is resumed by another (see src/server/batch.ts).
export const batchJobsTable = {
  version: 8,
  name: 'batch jobs',
  up: (s: string): readonly string[] => [
    // operation and failures are JSON kept as text; owner and lease_until are the runner's
    // lease (ms, the runner's clock), renewed with every progress write.
    `CREATE TABLE ${s}.batch_jobs (
      namespace TEXT COLLATE "C" NOT NULL,
      job_id TEXT COLLATE "C" NOT NULL,
      query TEXT NOT NULL,
      operation TEXT NOT NULL,
      subject TEXT NOT NULL,
      state TEXT NOT NULL,
      started_at BIGINT NOT NULL,
      closed_at BIGINT,
      matched BIGINT NOT NULL,
      succeeded BIGINT NOT NULL,
      skipped BIGINT NOT NULL,
      failed BIGINT NOT NULL,
      failures TEXT NOT NULL,
      error TEXT,
      stop_requested SMALLINT NOT NULL,
      owner TEXT NOT NULL,
      lease_until BIGINT NOT NULL,
      PRIMARY KEY (namespace, job_id)
    )`,
    `CREATE INDEX batch_jobs_started ON ${s}.batch_jobs (namespace, started_at, job_id)`,
    `CREATE INDEX batch_jobs_running ON ${s}.batch_jobs (lease_until) WHERE state = 'RUNNING'`,
    `CREATE INDEX batch_jobs_closed ON ${s}.batch_jobs (closed_at) WHERE closed_at IS NOT NULL`,
  ],
};
