import { randomUUID } from 'node:crypto';
import { AionError, type WorkflowExecutionInfo } from '../core/index.js';
import type { NamespaceScope, ResetPoint } from '../engine/index.js';
import type { BatchJobOperation, BatchJobRecord, Store } from '../store/index.js';
import { splitGroupBy } from '../visibility/index.js';
import { argsOf, BatchRunner, toStoredArgs } from './batch-runner.js';

/** What a batch job does to every run its query matches. */
export type BatchOperation =
  | { readonly type: 'cancel'; readonly reason?: string }
  | { readonly type: 'terminate'; readonly reason?: string }
  | { readonly type: 'signal'; readonly signal: string; readonly args?: readonly unknown[] }
  | { readonly type: 'reset'; readonly to?: ResetPoint; readonly reason?: string };

/** A batch job as the API shows it. */
export interface BatchJob {
  readonly jobId: string;
  readonly namespace: string;
  readonly query: string;
  readonly operation: BatchOperation;
  readonly subject: string;
  readonly state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  readonly startedAt: string;
  readonly closedAt: string | undefined;
  /** Runs matched so far (the query is paged while the job runs). */
  readonly matched: number;
  readonly succeeded: number;
  /** Runs skipped because they closed meanwhile or were already in the target state. */
  readonly skipped: number;
  readonly failed: number;
  /** The first failures (at most 20), for diagnosis. */
  readonly failures: readonly {
    workflowId: string;
    runId: string;
    code: string;
    message: string;
  }[];
  readonly error: string | undefined;
}

export interface BatchJobsOptions {
  /** The store holding the jobs (the engine's codecs applied: signal arguments are user data). */
  readonly store: Store;
  /** The engine's API in a namespace; throws `not_found` for an unknown one. */
  readonly scope: (namespace: string) => NamespaceScope;
  readonly now: () => number;
  readonly onError?: (message: string, fields: Record<string, unknown>) => void;
  /** Runs changed at once per job. Default 16. */
  readonly concurrency?: number;
  /** How long a runner's hold on its job lasts without a progress write. Default 15 s. */
  readonly leaseMs?: number;
  /** How often a runner writes its progress (and renews its lease). Default 1 s. */
  readonly progressMs?: number;
  /** How often this server looks for jobs whose runner stopped. Default 3 s. */
  readonly claimMs?: number;
  /** How long closed jobs are kept. Default 7 days. */
  readonly retentionMs?: number;
}

/** What a job would change, found without changing anything (see {@link BatchJobs.dryRun}). */
export interface BatchDryRun {
  readonly dryRun: true;
  /** Runs the query matches now. */
  readonly matched: number;
  /** The first of them (at most 20), in the order the job would take them. */
  readonly sample: readonly WorkflowExecutionInfo[];
}

/** Runs shown by a dry run. */
const DRY_RUN_SAMPLE = 20;

/** Jobs listed per namespace, newest first. */
const LIST_LIMIT = 1000;
const CLAIM_LIMIT = 10;
const PURGE_LIMIT = 1000;

function view(job: BatchJobRecord): BatchJob {
  const op = job.operation;
  return {
    jobId: job.jobId,
    namespace: job.namespace,
    query: job.query,
    operation: op.type === 'signal' ? { ...op, args: argsOf(job) } : op,
    subject: job.subject,
    state: job.state,
    startedAt: new Date(job.startedAt).toISOString(),
    closedAt: job.closedAt === null ? undefined : new Date(job.closedAt).toISOString(),
    matched: job.matched,
    succeeded: job.succeeded,
    skipped: job.skipped,
    failed: job.failed,
    failures: job.failures,
    error: job.error ?? undefined,
  };
}

function stored(op: BatchOperation): BatchJobOperation {
  return op.type === 'signal' ? { ...op, args: toStoredArgs(op.args ?? []) } : op;
}

/**
 * Batch operations by visibility query, kept in the store: every server of a cluster sees
 * (gets, lists, stops) every job, and a job outlives the server running it. Its runner holds
 * a lease on the job, renewed with each progress write (every second); each server looks
 * every few seconds for RUNNING jobs whose lease ran out and resumes them. A resumed job
 * pages its query again from the start: operations are idempotent per run — cancel and
 * terminate skip closed runs, signals carry the request id `<jobId>/<runId>` so each run gets
 * a job's signal once, reset skips runs that are no longer open.
 */
export class BatchJobs {
  readonly #o: BatchJobsOptions;
  readonly #owner = `batch-${randomUUID()}`;
  readonly #running = new Map<string, { runner: BatchRunner; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: BatchJobsOptions) {
    this.#o = options;
  }

  /** Starts looking for jobs to resume (now and every `claimMs`). */
  open(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => void this.#claim(), this.#o.claimMs ?? 3000);
    this.#timer.unref();
    void this.#claim();
  }

  async start(input: {
    jobId?: string;
    namespace: string;
    query: string;
    operation: BatchOperation;
    subject: string;
  }): Promise<BatchJob> {
    checkQuery(input.query);
    const now = this.#o.now();
    const { created, job } = await this.#o.store.createBatchJob({
      namespace: input.namespace,
      jobId: input.jobId ?? randomUUID(),
      query: input.query,
      operation: stored(input.operation),
      subject: input.subject,
      state: 'RUNNING',
      startedAt: now,
      closedAt: null,
      matched: 0,
      succeeded: 0,
      skipped: 0,
      failed: 0,
      failures: [],
      error: null,
      stopRequested: false,
      owner: this.#owner,
      leaseUntil: now + this.#leaseMs(),
    });
    if (created) this.#run(job);
    return view(job);
  }

  async get(namespace: string, jobId: string): Promise<BatchJob> {
    const job = await this.#o.store.getBatchJob(namespace, jobId);
    if (!job) {
      throw new AionError('not_found', `batch job ${JSON.stringify(jobId)} does not exist`, {
        jobId,
      });
    }
    return view(job);
  }

  /** The namespace's newest jobs first (at most 1000). */
  async list(namespace: string): Promise<BatchJob[]> {
    return (await this.#o.store.listBatchJobs(namespace, LIST_LIMIT)).map(view);
  }

  /** Stops a running job after the runs in flight, whichever server runs it. */
  async stop(namespace: string, jobId: string): Promise<BatchJob> {
    const job = await this.#o.store.requestBatchJobStop(namespace, jobId);
    if (!job) return this.get(namespace, jobId);
    this.#running.get(this.#key(namespace, jobId))?.runner.requestStop();
    return view(job);
  }

  /** Validates a query before a job starts, so a typo fails the request instead of the job. */
  async validate(namespace: string, query: string): Promise<void> {
    checkQuery(query);
    await this.#o.scope(namespace).count({ query });
  }

  /**
   * What a job with this query would change, changing nothing and storing nothing: the
   * query is checked as for a job, then the matching runs are counted and the first listed.
   */
  async dryRun(namespace: string, query: string): Promise<BatchDryRun> {
    await this.validate(namespace, query);
    const scope = this.#o.scope(namespace);
    const page = await scope.list({ query, pageSize: DRY_RUN_SAMPLE });
    const matched =
      page.nextCursor === undefined ? page.items.length : await scope.count({ query });
    return { dryRun: true, matched, sample: page.items };
  }

  /**
   * Stops this server's runners after the runs in flight and hands their jobs back (still
   * RUNNING, lease ended) for another server to resume.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const { runner } of this.#running.values()) runner.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  #leaseMs(): number {
    return this.#o.leaseMs ?? 15_000;
  }

  #key(namespace: string, jobId: string): string {
    return `${namespace}\u0000${jobId}`;
  }

  #run(job: BatchJobRecord): void {
    const key = this.#key(job.namespace, job.jobId);
    const onError = this.#o.onError ?? (() => undefined);
    let scope: NamespaceScope;
    try {
      scope = this.#o.scope(job.namespace);
    } catch (err) {
      // The namespace is gone (or not yet known here): close the job rather than loop on it.
      void this.#o.store
        .updateBatchJob(job.namespace, job.jobId, this.#owner, {
          ...job,
          state: 'FAILED',
          closedAt: this.#o.now(),
          error: (err as Error).message,
        })
        .catch((e: unknown) => onError('batch job close failed', { error: String(e) }));
      return;
    }
    const runner = new BatchRunner(job, scope, {
      store: this.#o.store,
      owner: this.#owner,
      now: this.#o.now,
      leaseMs: this.#leaseMs(),
      progressMs: this.#o.progressMs ?? 1000,
      concurrency: this.#o.concurrency ?? 16,
      onError,
    });
    const done = runner.run().finally(() => {
      if (this.#running.get(key)?.runner === runner) this.#running.delete(key);
    });
    this.#running.set(key, { runner, done });
  }

  /** Resumes jobs whose runner stopped, and deletes closed jobs past the retention. */
  async #claim(): Promise<void> {
    if (this.#closed) return;
    const now = this.#o.now();
    try {
      const claimed = await this.#o.store.claimBatchJobs(
        this.#owner,
        now,
        now + this.#leaseMs(),
        CLAIM_LIMIT,
      );
      for (const job of claimed) {
        if (this.#closed) break;
        // A resumed job counts again from the start: it pages its query again.
        this.#run({ ...job, matched: 0, succeeded: 0, skipped: 0, failed: 0, failures: [] });
      }
      await this.#o.store.purgeBatchJobs(
        now - (this.#o.retentionMs ?? 7 * 86_400_000),
        PURGE_LIMIT,
      );
    } catch (err) {
      this.#o.onError?.('batch job claim failed', { error: (err as Error).message });
    }
  }
}

function checkQuery(query: string): void {
  if (!query.trim()) {
    throw new AionError(
      'invalid_argument',
      'a batch needs a non-empty query (it selects the runs to change)',
      { field: 'query' },
    );
  }
  // Counts accept a trailing GROUP BY; the job lists its runs, which does not.
  if (splitGroupBy(query).groupBy !== undefined) {
    throw new AionError(
      'invalid_argument',
      'a batch query selects runs and cannot end in GROUP BY (only counts are grouped)',
      { field: 'query' },
    );
  }
}
