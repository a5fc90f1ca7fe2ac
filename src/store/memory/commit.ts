// The memory store's atomic workflow-task commit: validates a whole batch before writing any
// of it, then applies each run's events, side-effect rows and audit entries across the parts, or
// reports why not.
import {
  defectOn,
  AionError,
  checkHistoryLength,
  encodeEvent,
  isTerminalEventType,
  SequenceConflictError,
  validateAppend,
  WorkflowAlreadyStartedError,
  type Limits,
} from '../../core/index.js';
import type { CommitOutcome, RunCommit } from '../contract/index.js';
import { projectRun } from '../shared/index.js';
import { validateCommit } from '../shared/index.js';
import { key } from './keys.js';
import type { MemoryOutbox } from './outbox.js';
import type { MemoryRuns } from './runs.js';
import type { MemorySchedules } from './schedules.js';
import type { MemorySecurity } from './security.js';
import type { MemoryTasks } from './tasks.js';
import type { MemoryTimers } from './timers.js';

/** The parts a commit writes to. */
export interface CommitParts {
  readonly runs: MemoryRuns;
  readonly timers: MemoryTimers;
  readonly tasks: MemoryTasks;
  readonly outbox: MemoryOutbox;
  readonly schedules: MemorySchedules;
  readonly security: MemorySecurity;
}

export class MemoryCommits {
  readonly #parts: CommitParts;
  readonly #limits: Limits;

  constructor(parts: CommitParts, limits: Limits) {
    this.#parts = parts;
    this.#limits = limits;
  }

  /** Throws on invalid input before anything is written; else outcomes in input order. */
  commit(commits: readonly RunCommit[]): CommitOutcome[] {
    this.#validate(commits);
    return commits.map((c) => this.#apply(c));
  }

  /** Validates everything first: invalid input writes nothing of the call. */
  #validate(commits: readonly RunCommit[]): void {
    const heads = new Map<string, { seq: number; closed: boolean; exists: boolean }>();
    for (const c of commits) {
      validateCommit(c, this.#limits);
      const runKey = key(c.run.namespace, c.run.runId);
      const info = this.#parts.runs.info(c.run);
      const head = heads.get(runKey) ?? {
        seq: info?.headSeq ?? 0,
        closed: info?.closeTime !== undefined,
        exists: info !== undefined,
      };
      if (c.events.length === 0) {
        if (!head.exists) {
          throw new AionError(
            'invalid_history',
            `commit without events to unknown run ${c.run.runId}`,
            { runId: c.run.runId },
          );
        }
        continue;
      }
      // Validate against the expected seq; a stale expectation is a conflict, reported later.
      validateAppend(
        c.run.runId,
        c.events,
        c.expectedSeq,
        c.expectedSeq === head.seq && head.closed,
      );
      checkHistoryLength(c.expectedSeq + c.events.length, this.#limits, c.run.runId);
      if (c.expectedSeq === head.seq) {
        heads.set(runKey, {
          seq: head.seq + c.events.length,
          closed: head.closed || c.events.some((e) => isTerminalEventType(e.type)),
          exists: true,
        });
      }
    }
  }

  #apply(c: RunCommit): CommitOutcome {
    const { run } = c;
    const { runs } = this.#parts;
    const previous = runs.info(run);
    const head = previous?.headSeq ?? 0;
    if (head !== c.expectedSeq && !defectOn('skip-seq-check'))
      return { ok: false, error: new SequenceConflictError(run.runId, c.expectedSeq, head) };
    if (previous === undefined) {
      const open = runs.openRunOf(run.namespace, run.workflowId);
      if (open !== undefined) {
        return {
          ok: false,
          error: new WorkflowAlreadyStartedError(run.namespace, run.workflowId, open),
        };
      }
    }
    if (c.schedule !== undefined) {
      const refused = this.#parts.schedules.refusal(c.schedule);
      if (refused) return { ok: false, error: refused };
      this.#parts.schedules.apply(c.schedule);
    }
    if (c.events.length > 0) {
      runs.record(run, projectRun(run, previous, c.events), c.events.map(encodeEvent));
    }
    this.#applySideEffects(c);
    // Written only with the accepted commit (validated with the batch).
    if (c.audit !== undefined && c.audit.length > 0) this.#parts.security.appendAudit(c.audit);
    const current = runs.info(run)!;
    if (current.closeTime !== undefined) {
      runs.releaseWorkflowId(run);
      // Closing deletes the run's timers and tasks; its outbox rows carry the close's messages.
      this.#parts.timers.dropRun(run.namespace, run.runId);
      this.#parts.tasks.dropRun(run.namespace, run.runId);
    }
    return { ok: true, headSeq: current.headSeq };
  }

  #applySideEffects(c: RunCommit): void {
    const { namespace, runId } = c.run;
    const { timers, tasks, outbox } = this.#parts;
    for (const t of c.timers?.upsert ?? []) timers.upsert(namespace, runId, t);
    for (const id of c.timers?.cancel ?? []) timers.deleteTimer(namespace, runId, id);
    for (const t of c.tasks?.enqueue ?? []) tasks.enqueue(namespace, t);
    for (const id of c.tasks?.remove ?? []) tasks.remove(namespace, id);
    for (const o of c.outbox?.add ?? []) outbox.add(namespace, o);
    for (const id of c.outbox?.remove ?? []) outbox.remove(namespace, id);
    if (c.visibility !== undefined) this.#parts.runs.patchVisibility(c.run, c.visibility);
  }
}
