import { SpanKind, trace } from '@opentelemetry/api';
import { AionError, isAionError, isTransientStoreError } from '../core/index.js';
import type { AuditEntry, CommitOutcome, RunCommit, Store } from '../store/index.js';
import type { EventFeed } from './event-feed.js';
import type { EngineMetrics } from './metrics.js';

interface Pending {
  readonly commit: RunCommit;
  readonly workflowType: string | undefined;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingAudit {
  readonly entries: readonly AuditEntry[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Audit entries carried by one store transaction at most (the rest join the next one). */
const MAX_AUDIT_ENTRIES = 1000;

/**
 * A group commit of fewer runs than this waits while more commits are on their way (an
 * activation batch in flight), at most {@link HOLD_MAX_MS}: see {@link Recorder.expectCommits}.
 */
const HOLD_BELOW_RUNS = 64;
const HOLD_MAX_MS = 2;

/**
 * Group commit: every run commit submitted while a store transaction is in flight joins the
 * next one. One transaction carries many runs, which is how throughput approaches what the
 * storage can do. Nothing is acknowledged before its transaction commits. Audit-trail
 * entries join the same transaction (a server's audited calls then cost no commit, and no
 * durable sync, of their own).
 */
export class Recorder {
  readonly #store: Store;
  readonly #metrics: EngineMetrics;
  readonly #maxBatch: number;
  readonly #feed: EventFeed | undefined;
  #queue: Pending[] = [];
  #audits: PendingAudit[] = [];
  #inFlight = false;
  #scheduled = false;
  #idleWaiters: (() => void)[] = [];
  /** Work in flight whose commits follow when it answers (see {@link expectCommits}). */
  #coming = 0;
  /** When the queued commits were first held back (-1: not held). */
  #heldSince = -1;
  #holdTimer: NodeJS.Timeout | undefined;

  constructor(store: Store, metrics: EngineMetrics, maxBatch = 1000, feed?: EventFeed) {
    this.#store = store;
    this.#metrics = metrics;
    this.#maxBatch = maxBatch;
    this.#feed = feed;
  }

  /** `workflowType` labels the run's events on the live feed (derived from a start event if omitted). */
  submit(commit: RunCommit, workflowType?: string): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ commit, workflowType, resolve, reject });
      this.#schedule();
    });
  }

  /** Appends audit entries with the next store transaction; resolves once it committed. */
  audit(entries: readonly AuditEntry[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#audits.push({ entries, resolve, reject });
      this.#schedule();
    });
  }

  get idle(): boolean {
    return !this.#inFlight && this.#queue.length === 0 && this.#audits.length === 0;
  }

  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Live feed hook: only after the store reported the commit durable (never before). */
  #published(p: Pending, outcome: CommitOutcome): void {
    if (outcome.ok) this.#feed?.publish(p.commit.run, p.workflowType, p.commit.events);
  }

  /**
   * Says that work is in flight whose runs' commits follow when it answers (the scheduler: an
   * activation batch on the workflow thread); call the returned function once it has answered
   * and its commits are submitted. Meanwhile a small group commit waits for them: under load
   * whose runs do not move together (a server's requests arrive one by one) each group commit
   * would otherwise carry a few runs and pay a durable sync for them. The wait ends when
   * nothing more is coming, when {@link HOLD_BELOW_RUNS} runs are queued, or after
   * {@link HOLD_MAX_MS}. A lone run never waits: by the time its commit is taken, the
   * activation that made it has answered.
   */
  expectCommits(): () => void {
    this.#coming++;
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      this.#coming--;
      if (this.#holdTimer === undefined) return;
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
      setImmediate(this.#turn); // the answered work's commits are queued: look again
    };
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    setImmediate(this.#turn);
  }

  /** The turn after a submit: flush, or hold a small batch while more is coming. */
  readonly #turn = (): void => {
    if (this.#coming > 0 && this.#queue.length < HOLD_BELOW_RUNS) {
      const now = performance.now();
      if (this.#heldSince < 0) this.#heldSince = now;
      const left = HOLD_MAX_MS - (now - this.#heldSince);
      if (left > 0) {
        this.#holdTimer = setTimeout(this.#release, left);
        return;
      }
    }
    this.#release();
  };

  readonly #release = (): void => {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#heldSince = -1;
    this.#scheduled = false;
    void this.#flush();
  };

  async #flush(): Promise<void> {
    if (this.#inFlight || (this.#queue.length === 0 && this.#audits.length === 0)) return;
    this.#inFlight = true;
    const batch = this.#queue.splice(0, this.#maxBatch);
    const audits = this.#takeAudits();
    const started = performance.now();
    // One span per store transaction (not per run): without an SDK this is a no-op span.
    // Looked up per batch so a provider registered (or replaced) later is used.
    const span = trace
      .getTracer('aion')
      .startSpan('aion.store.commit', { kind: SpanKind.INTERNAL });
    if (span.isRecording()) {
      let events = 0;
      for (const p of batch) events += p.commit.events.length;
      span.setAttributes({ 'aion.commit.runs': batch.length, 'aion.commit.events': events });
    }
    try {
      if (batch.length === 0) await this.#auditAlone(audits);
      else await this.#commit(batch, audits, started);
    } finally {
      span.end();
      this.#inFlight = false;
      if (this.#queue.length > 0 || this.#audits.length > 0) this.#schedule();
      else for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  /** Whole waiters' entries, up to {@link MAX_AUDIT_ENTRIES} (at least one waiter). */
  #takeAudits(): PendingAudit[] {
    let n = 0;
    let entries = 0;
    while (n < this.#audits.length) {
      entries += this.#audits[n]!.entries.length;
      if (n > 0 && entries > MAX_AUDIT_ENTRIES) break;
      n++;
    }
    return this.#audits.splice(0, n);
  }

  async #commit(batch: Pending[], audits: PendingAudit[], started: number): Promise<void> {
    const entries = audits.length > 0 ? audits.flatMap((a) => a.entries) : undefined;
    try {
      const outcomes = await this.#store.commit(
        batch.map((p) => p.commit),
        entries,
      );
      this.#metrics.commitBatch.observe(batch.length);
      this.#metrics.commitSeconds.observe((performance.now() - started) / 1000);
      if (this.#feed?.active) batch.forEach((p, i) => this.#published(p, outcomes[i]!));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
      for (const a of audits) a.resolve();
    } catch (err) {
      // A refusal (invalid input, a limit, a constraint) throws for the whole transaction:
      // isolate the culprit so one bad commit (or audit entry) cannot fail the others. An
      // outage fails them all alike (each run then resolves its commit's outcome).
      if ((batch.length > 1 || audits.length > 0) && !isTransientStoreError(err)) {
        for (const p of batch) {
          try {
            const [outcome] = await this.#store.commit([p.commit]);
            if (this.#feed?.active) this.#published(p, outcome!);
            p.resolve(outcome!);
          } catch (single) {
            p.reject(single);
          }
        }
        await this.#auditAlone(audits);
      } else {
        const error = commitError(err);
        for (const p of batch) p.reject(error);
        for (const a of audits) a.reject(error);
      }
    }
  }

  /** Audit entries in a transaction of their own; a refused one fails only its waiter. */
  async #auditAlone(audits: readonly PendingAudit[]): Promise<void> {
    if (audits.length === 0) return;
    try {
      await this.#store.appendAudit(audits.flatMap((a) => a.entries));
      for (const a of audits) a.resolve();
    } catch (err) {
      if (audits.length === 1 || isTransientStoreError(err)) {
        for (const a of audits) a.reject(err);
        return;
      }
      for (const a of audits) await this.#auditAlone([a]);
    }
  }
}

function commitError(err: unknown): AionError {
  if (isAionError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AionError(
    isTransientStoreError(err) ? 'store_unavailable' : 'internal',
    `store commit failed: ${message}`,
    {},
    { cause: err },
  );
}
