import { randomUUID } from 'node:crypto';
import { AionError, isAionError } from '../core/index.js';
import type { NamespaceScope, ResetPoint } from '../engine/index.js';

/** What a batch job does to every run its query matches. */
export type BatchOperation =
  | { readonly type: 'cancel'; readonly reason?: string }
  | { readonly type: 'terminate'; readonly reason?: string }
  | { readonly type: 'signal'; readonly signal: string; readonly args?: readonly unknown[] }
  | { readonly type: 'reset'; readonly to?: ResetPoint; readonly reason?: string };

export interface BatchJob {
  readonly jobId: string;
  readonly namespace: string;
  readonly query: string;
  readonly operation: BatchOperation;
  readonly subject: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  readonly startedAt: string;
  closedAt: string | undefined;
  /** Runs matched so far (the query is paged while the job runs). */
  matched: number;
  succeeded: number;
  /** Runs skipped because they closed meanwhile or were already in the target state. */
  skipped: number;
  failed: number;
  /** The first failures (at most 20), for diagnosis. */
  readonly failures: { workflowId: string; runId: string; code: string; message: string }[];
  error: string | undefined;
}

const MAX_FAILURES = 20;
const MAX_JOBS = 1000;

/**
 * Batch operations by visibility query: each job pages through the matching runs and applies
 * one operation per run, recording progress. Operations are idempotent per run — cancel and
 * terminate skip closed runs, signals carry the request id `<jobId>/<runId>` so a job re-run
 * with the same id (after a server restart) delivers each signal once, and reset skips runs
 * that are no longer open. Job records live in memory; re-submit a job to resume it.
 */
export class BatchJobs {
  readonly #engine: NamespaceScope;
  readonly #jobs = new Map<string, BatchJob>();
  readonly #stops = new Map<string, () => void>();
  readonly #concurrency: number;

  constructor(engine: NamespaceScope, options: { concurrency?: number } = {}) {
    this.#engine = engine;
    this.#concurrency = options.concurrency ?? 16;
  }

  start(input: {
    jobId?: string;
    namespace: string;
    query: string;
    operation: BatchOperation;
    subject: string;
  }): BatchJob {
    const jobId = input.jobId ?? randomUUID();
    const existing = this.#jobs.get(jobId);
    if (existing?.state === 'RUNNING') return existing;
    if (!input.query.trim()) {
      throw new AionError(
        'invalid_argument',
        'a batch needs a non-empty query (it selects the runs to change)',
        {
          field: 'query',
        },
      );
    }
    if (this.#jobs.size >= MAX_JOBS) this.#evictClosed();
    const job: BatchJob = {
      jobId,
      namespace: input.namespace,
      query: input.query,
      operation: input.operation,
      subject: input.subject,
      state: 'RUNNING',
      startedAt: new Date().toISOString(),
      closedAt: undefined,
      matched: 0,
      succeeded: 0,
      skipped: 0,
      failed: 0,
      failures: [],
      error: undefined,
    };
    this.#jobs.set(jobId, job);
    let stopped = false;
    this.#stops.set(jobId, () => {
      stopped = true;
    });
    void this.#run(job, () => stopped).finally(() => this.#stops.delete(jobId));
    return job;
  }

  get(jobId: string): BatchJob {
    const job = this.#jobs.get(jobId);
    if (!job)
      throw new AionError('not_found', `batch job ${JSON.stringify(jobId)} does not exist`, {
        jobId,
      });
    return job;
  }

  list(): BatchJob[] {
    return [...this.#jobs.values()].reverse();
  }

  /** Stops a running job after the runs in flight. */
  stop(jobId: string): BatchJob {
    const job = this.get(jobId);
    this.#stops.get(jobId)?.();
    return job;
  }

  /** Validates a query before a job starts, so a typo fails the request instead of the job. */
  async validate(query: string): Promise<void> {
    await this.#engine.count({ query });
  }

  #evictClosed(): void {
    for (const [id, job] of this.#jobs) {
      if (job.state !== 'RUNNING') this.#jobs.delete(id);
      if (this.#jobs.size < MAX_JOBS / 2) return;
    }
  }

  async #run(job: BatchJob, stopped: () => boolean): Promise<void> {
    try {
      // Snapshot the matching runs first: operations change statuses, which would shift pages.
      const targets: { workflowId: string; runId: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.#engine.list({
          query: job.query,
          pageSize: 500,
          ...(cursor ? { cursor } : {}),
        });
        for (const item of page.items)
          targets.push({ workflowId: item.workflowId, runId: item.runId });
        job.matched = targets.length;
        cursor = page.nextCursor;
      } while (cursor && !stopped());
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < targets.length && !stopped()) {
          const target = targets[next++]!;
          await this.#apply(job, target);
        }
      };
      await Promise.all(Array.from({ length: this.#concurrency }, worker));
      job.state = stopped() ? 'CANCELLED' : 'COMPLETED';
    } catch (err) {
      job.state = 'FAILED';
      job.error = (err as Error).message;
    }
    job.closedAt = new Date().toISOString();
  }

  async #apply(job: BatchJob, target: { workflowId: string; runId: string }): Promise<void> {
    const op = job.operation;
    const handle = this.#engine.getHandle(target.workflowId, target.runId);
    try {
      switch (op.type) {
        case 'cancel':
          await handle.cancel(op.reason);
          break;
        case 'terminate':
          await handle.terminate(op.reason ?? `batch ${job.jobId}`);
          break;
        case 'signal':
          await handle.signalWithRequestId(
            `${job.jobId}/${target.runId}`,
            op.signal,
            ...(op.args ?? []),
          );
          break;
        case 'reset':
          await this.#engine.reset(target.workflowId, {
            runId: target.runId,
            ...(op.to !== undefined ? { to: op.to } : {}),
            reason: op.reason ?? `batch ${job.jobId}`,
          });
          break;
      }
      job.succeeded++;
    } catch (err) {
      const code = isAionError(err) ? err.code : 'internal';
      if (code === 'workflow_closed' || code === 'invalid_state') {
        job.skipped++;
        return;
      }
      job.failed++;
      if (job.failures.length < MAX_FAILURES) {
        job.failures.push({ ...target, code, message: (err as Error).message });
      }
    }
  }
}
