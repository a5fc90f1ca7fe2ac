// One batch job running on this server: pages through the runs its query matches, applies
// the operation to each, and writes its progress to the store every so often (which also
// renews its lease on the job and brings back a stop requested on any node).
import { DataConverter, isAionError } from '../core/index.js';
import type { NamespaceScope } from '../engine/index.js';
import type {
  BatchJobFailure,
  BatchJobProgress,
  BatchJobRecord,
  BatchJobState,
  Store,
} from '../store/index.js';

const MAX_FAILURES = 20;
const PAGE_SIZE = 500;

/** What a runner needs from the server. */
export interface BatchRunnerDeps {
  readonly store: Store;
  readonly owner: string;
  readonly now: () => number;
  readonly leaseMs: number;
  readonly progressMs: number;
  readonly concurrency: number;
  readonly onError: (message: string, fields: Record<string, unknown>) => void;
}

// Signal arguments are stored as payloads (see BatchJobOperation); plain JSON here, the
// store view the server uses applies the engine's codecs.
const converter = new DataConverter();

/** The plain values of stored signal arguments. */
export function argsOf(job: BatchJobRecord): unknown[] {
  return job.operation.type === 'signal' ? job.operation.args.map((p) => converter.decode(p)) : [];
}

/** Signal arguments as stored. */
export const toStoredArgs = (args: readonly unknown[]): ReturnType<DataConverter['encode']>[] =>
  args.map((a) => converter.encode(a, 'signal argument'));

export class BatchRunner {
  readonly job: BatchJobRecord;
  readonly #scope: NamespaceScope;
  readonly #deps: BatchRunnerDeps;
  #matched = 0;
  #succeeded = 0;
  #skipped = 0;
  #failed = 0;
  readonly #failures: BatchJobFailure[] = [];
  /** A stop was requested (on any node): close the job as CANCELLED. */
  #stopRequested: boolean;
  /** This server is shutting down: leave the job RUNNING for another node to resume. */
  #aborted = false;
  /** Another runner holds the job now (or it closed): write nothing more. */
  #lost = false;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(job: BatchJobRecord, scope: NamespaceScope, deps: BatchRunnerDeps) {
    this.job = job;
    this.#scope = scope;
    this.#deps = deps;
    this.#stopRequested = job.stopRequested;
  }

  requestStop(): void {
    this.#stopRequested = true;
  }

  abort(): void {
    this.#aborted = true;
  }

  #halted(): boolean {
    return this.#stopRequested || this.#aborted || this.#lost;
  }

  /** Runs the job to its end (or until aborted or lost); never rejects. */
  async run(): Promise<void> {
    const timer = setInterval(() => void this.#write('RUNNING'), this.#deps.progressMs);
    timer.unref();
    let state: BatchJobState = 'COMPLETED';
    let error: string | null = null;
    try {
      const targets = await this.#targets();
      // The match count shows at once, and a stop requested meanwhile is seen before any run
      // is changed.
      await this.#write('RUNNING');
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < targets.length && !this.#halted()) await this.#apply(targets[next++]!);
      };
      await Promise.all(Array.from({ length: this.#deps.concurrency }, worker));
      if (this.#stopRequested) state = 'CANCELLED';
    } catch (err) {
      state = 'FAILED';
      error = (err as Error).message;
    } finally {
      clearInterval(timer);
    }
    if (this.#lost) return;
    // On shutdown the job stays RUNNING with its lease ended now, so another node resumes it
    // at its next claim instead of waiting for the lease to run out.
    if (this.#aborted) await this.#write('RUNNING', { leaseUntil: this.#deps.now() });
    else await this.#write(state, { error });
  }

  /** Snapshot of the matching runs first: operations change statuses, which would shift pages. */
  async #targets(): Promise<{ workflowId: string; runId: string }[]> {
    const targets: { workflowId: string; runId: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#scope.list({
        query: this.job.query,
        pageSize: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items)
        targets.push({ workflowId: item.workflowId, runId: item.runId });
      this.#matched = targets.length;
      cursor = page.nextCursor;
    } while (cursor && !this.#halted());
    return targets;
  }

  /** Writes progress (serialised: one write at a time, in order); never rejects. */
  #write(
    state: BatchJobState,
    extra: { leaseUntil?: number; error?: string | null } = {},
  ): Promise<unknown> {
    this.#writes = this.#writes.then(async () => {
      if (this.#lost) return;
      const now = this.#deps.now();
      const progress: BatchJobProgress = {
        matched: this.#matched,
        succeeded: this.#succeeded,
        skipped: this.#skipped,
        failed: this.#failed,
        failures: [...this.#failures],
        state,
        closedAt: state === 'RUNNING' ? null : now,
        error: extra.error ?? null,
        leaseUntil: extra.leaseUntil ?? now + this.#deps.leaseMs,
      };
      try {
        const { namespace, jobId } = this.job;
        const written = await this.#deps.store.updateBatchJob(
          namespace,
          jobId,
          this.#deps.owner,
          progress,
        );
        if (written === undefined) this.#lost = true;
        else if (written.stopRequested) this.#stopRequested = true;
      } catch (err) {
        // The lease outlives a few failed writes; a job whose writes keep failing is resumed
        // elsewhere once its lease runs out.
        this.#deps.onError('batch job progress write failed', {
          jobId: this.job.jobId,
          error: (err as Error).message,
        });
      }
    });
    return this.#writes;
  }

  async #apply(target: { workflowId: string; runId: string }): Promise<void> {
    const { operation: op, jobId } = this.job;
    const handle = this.#scope.getHandle(target.workflowId, target.runId);
    try {
      switch (op.type) {
        case 'cancel':
          await handle.cancel(op.reason);
          break;
        case 'terminate':
          await handle.terminate(op.reason ?? `batch ${jobId}`);
          break;
        case 'signal':
          await handle.signalWithRequestId(
            `${jobId}/${target.runId}`,
            op.signal,
            ...argsOf(this.job),
          );
          break;
        case 'reset':
          await this.#scope.reset(target.workflowId, {
            runId: target.runId,
            ...(op.to !== undefined ? { to: op.to } : {}),
            reason: op.reason ?? `batch ${jobId}`,
          });
          break;
      }
      this.#succeeded++;
    } catch (err) {
      const code = isAionError(err) ? err.code : 'internal';
      if (code === 'workflow_closed' || code === 'invalid_state') {
        this.#skipped++;
        return;
      }
      this.#failed++;
      if (this.#failures.length < MAX_FAILURES) {
        this.#failures.push({ ...target, code, message: (err as Error).message });
      }
    }
  }
}
