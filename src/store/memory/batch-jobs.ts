// The memory store's batch jobs. Callers always get copies, as from a SQL store.
import type { BatchJobProgress, BatchJobRecord } from '../contract/index.js';
import {
  compareBatchJobsNewestFirst,
  validateBatchJob,
  validateBatchJobProgress,
} from '../shared/index.js';

function copy(job: BatchJobRecord): BatchJobRecord {
  return structuredClone(job);
}

export class MemoryBatchJobs {
  readonly #jobs = new Map<string, BatchJobRecord>();

  #key(namespace: string, jobId: string): string {
    return `${namespace}\u0000${jobId}`;
  }

  create(job: BatchJobRecord): { readonly created: boolean; readonly job: BatchJobRecord } {
    validateBatchJob(job);
    const key = this.#key(job.namespace, job.jobId);
    const existing = this.#jobs.get(key);
    if (existing?.state === 'RUNNING') return { created: false, job: copy(existing) };
    this.#jobs.set(key, copy(job));
    return { created: true, job: copy(job) };
  }

  get(namespace: string, jobId: string): BatchJobRecord | undefined {
    const job = this.#jobs.get(this.#key(namespace, jobId));
    return job === undefined ? undefined : copy(job);
  }

  list(namespace: string, limit: number): BatchJobRecord[] {
    return [...this.#jobs.values()]
      .filter((j) => j.namespace === namespace)
      .sort(compareBatchJobsNewestFirst)
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  update(
    namespace: string,
    jobId: string,
    owner: string,
    progress: BatchJobProgress,
  ): BatchJobRecord | undefined {
    validateBatchJobProgress(progress);
    const key = this.#key(namespace, jobId);
    const job = this.#jobs.get(key);
    if (job?.state !== 'RUNNING' || job.owner !== owner) return undefined;
    const next: BatchJobRecord = { ...job, ...structuredClone(progress) };
    this.#jobs.set(key, next);
    return copy(next);
  }

  requestStop(namespace: string, jobId: string): BatchJobRecord | undefined {
    const key = this.#key(namespace, jobId);
    const job = this.#jobs.get(key);
    if (job === undefined) return undefined;
    if (job.state !== 'RUNNING') return copy(job);
    const next = { ...job, stopRequested: true };
    this.#jobs.set(key, next);
    return copy(next);
  }

  claim(owner: string, now: number, leaseUntil: number, limit: number): BatchJobRecord[] {
    const claimed: BatchJobRecord[] = [];
    for (const [key, job] of this.#jobs) {
      if (claimed.length >= limit) break;
      if (job.state !== 'RUNNING' || job.leaseUntil > now) continue;
      const next = { ...job, owner, leaseUntil };
      this.#jobs.set(key, next);
      claimed.push(copy(next));
    }
    return claimed;
  }

  purge(before: number, limit: number): number {
    let deleted = 0;
    for (const [key, job] of this.#jobs) {
      if (deleted >= limit) break;
      if (job.closedAt !== null && job.closedAt < before) {
        this.#jobs.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}
