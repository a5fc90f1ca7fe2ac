// Reset and reopen: a new run of the same workflow id from a prefix of an old run. The intent
// is recorded first (with the old run's terminal, or alone), so a crash cannot lose the new run.
import type { Clock, IdSource } from '../../clock/index.js';
import { AionError, isTransientStoreError } from '../../core/index.js';
import type { OutboxRow, Store } from '../../store/index.js';
import type { ActivityService } from '../activity-service/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { PackageRegistry } from '../package-registry.js';
import type { RunResolver } from '../read/index.js';
import type { Recorder } from '../recorder.js';
import type { RunScheduler } from '../scheduler/index.js';
import type { TimerService } from '../timer-service.js';
import {
  planNewRun,
  RESET_KIND,
  resolveResetPoint,
  type ResetData,
  type ResetPoint,
  type ResetReapply,
} from './reset-plan.js';

export interface ResetOptions {
  runId?: string;
  to?: ResetPoint;
  reason?: string;
  version?: string;
  /** Temporal's reset option: `SIGNAL` (default; also `ALL_ELIGIBLE`) or `NONE`. */
  resetReapplyType?: string;
  /** Temporal's newer form: `['SIGNAL']` leaves the signals out. */
  resetReapplyExcludeTypes?: readonly string[];
}

const REAPPLY_TYPES: Readonly<Record<string, ResetReapply>> = {
  SIGNAL: 'SIGNAL',
  ALL_ELIGIBLE: 'SIGNAL',
  NONE: 'NONE',
};
const EXCLUDE_TYPES = new Set(['SIGNAL', 'UPDATE', 'CANCEL_REQUEST', 'CHILD_WORKFLOW']);

/**
 * Whether a reset re-applies the signals received after its point: yes unless
 * `resetReapplyType` is `NONE` or `resetReapplyExcludeTypes` holds `SIGNAL` (Temporal's
 * `RESET_REAPPLY_TYPE_…` / `RESET_REAPPLY_EXCLUDE_TYPE_…` spellings accepted).
 */
export function reapplyOf(options: ResetOptions): ResetReapply {
  const type = options.resetReapplyType?.replace(/^RESET_REAPPLY_TYPE_/, '');
  const reapply = type === undefined || type === 'UNSPECIFIED' ? 'SIGNAL' : REAPPLY_TYPES[type];
  if (reapply === undefined) {
    throw new AionError(
      'invalid_argument',
      `resetReapplyType must be SIGNAL, ALL_ELIGIBLE or NONE, got ${JSON.stringify(options.resetReapplyType)}`,
      { field: 'resetReapplyType' },
    );
  }
  const excluded = (options.resetReapplyExcludeTypes ?? []).map((t) =>
    String(t).replace(/^RESET_REAPPLY_EXCLUDE_TYPE_/, ''),
  );
  const unknown = excluded.find((t) => !EXCLUDE_TYPES.has(t));
  if (unknown !== undefined) {
    throw new AionError(
      'invalid_argument',
      `resetReapplyExcludeTypes may hold SIGNAL, UPDATE, CANCEL_REQUEST or CHILD_WORKFLOW, got ${JSON.stringify(unknown)}`,
      { field: 'resetReapplyExcludeTypes' },
    );
  }
  return excluded.includes('SIGNAL') ? 'NONE' : reapply;
}

export interface ResetServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly identity: string;
  readonly registry: PackageRegistry;
  readonly activities: ActivityService;
  readonly timers: TimerService;
  readonly recorder: Recorder;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
}

export class ResetService {
  readonly #d: ResetServiceDeps;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(deps: ResetServiceDeps) {
    this.#d = deps;
  }

  /** Records the reset/reopen intent, then creates the new run; resolves with its ids. */
  async resetOrReopen(
    ns: string,
    mode: 'reset' | 'reopen',
    workflowId: string,
    options: ResetOptions,
  ): Promise<{ workflowId: string; runId: string }> {
    const d = this.#d;
    d.lifecycle.check();
    // Cluster mode: the node driving the workflow resets it (its commits are fenced there).
    const key = { namespace: ns, workflowId };
    if (d.scheduler.isElsewhere(key)) {
      return (await d.scheduler.forward(key, 'reset', [ns, mode, workflowId, options])) as {
        workflowId: string;
        runId: string;
      };
    }
    const info = await d.resolver.resolve({ namespace: ns, workflowId, runId: options.runId });
    if (mode === 'reopen' && info.status !== 'FAILED' && info.status !== 'CANCELLED') {
      throw new AionError(
        'invalid_state',
        `only FAILED or CANCELLED runs can be reopened; run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    const events = await d.store.readHistory(info);
    const boundarySeq = resolveResetPoint(events, options.to ?? 'lastWorkflowTask');
    if (options.version !== undefined) await d.registry.ensureLoaded(ns, options.version);
    const reason = options.reason ?? mode;
    const data: ResetData = {
      mode,
      newRunId: d.ids.uuid(),
      boundarySeq,
      reason,
      reapply: reapplyOf(options),
      ...(options.version !== undefined ? { version: options.version } : {}),
    };
    planNewRun(info, events, data, d.activities, d.clock.now()); // validates the reset point
    const row: OutboxRow = {
      namespace: info.namespace,
      id: `${mode}/${info.runId}/${data.newRunId}`,
      workflowId: info.workflowId,
      runId: info.runId,
      kind: RESET_KIND,
      data: JSON.stringify(data),
      createdAt: d.clock.now(),
    };
    if (info.closeTime === undefined) {
      await new Promise<void>((resolve, reject) => {
        d.scheduler.enqueue(info, {
          event: {
            type: 'WorkflowTerminated',
            reason: `${mode} to seq ${boundarySeq}: ${reason}`,
            identity: d.identity,
          },
          addOutbox: [row],
          ack: { resolve, reject },
        });
      });
    } else {
      const [outcome] = await d.store
        .commit([{ run: info, expectedSeq: info.headSeq, events: [], outbox: { add: [row] } }])
        .catch((err: unknown) => {
          throw outcomeUnknown(err, data.newRunId);
        });
      if (outcome && !outcome.ok) throw outcome.error;
    }
    await this.apply(row).catch((err: unknown) => {
      throw outcomeUnknown(err, data.newRunId);
    });
    return { workflowId: info.workflowId, runId: data.newRunId };
  }

  /** Creates the new run recorded by a reset/reopen intent (idempotent). */
  apply(row: OutboxRow): Promise<void> {
    let inFlight = this.#inFlight.get(row.id);
    if (!inFlight) {
      inFlight = this.#create(row).finally(() => this.#inFlight.delete(row.id));
      this.#inFlight.set(row.id, inFlight);
    }
    return inFlight;
  }

  async #create(row: OutboxRow): Promise<void> {
    const d = this.#d;
    const data = JSON.parse(row.data) as ResetData;
    const old = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    const newKey = { ...old, runId: data.newRunId };
    if (await d.store.getRun(newKey)) {
      // Created by an earlier try whose outcome was unknown: its tasks wait for a claim.
      d.activities.wake();
      d.timers.wake();
      await d.store.deleteOutbox(row.namespace, [row.id]);
      return;
    }
    const plan = planNewRun(old, await d.store.readHistory(old), data, d.activities, d.clock.now());
    const outcome = await d.recorder
      .submit({
        run: newKey,
        expectedSeq: 0,
        events: plan.events,
        tasks: { enqueue: plan.tasks },
        timers: { upsert: plan.timers },
        outbox: { remove: [row.id] },
      })
      .catch((err: unknown) => {
        // The outcome is unknown (and the intent row goes with the commit, so nothing retries
        // it if it landed): the new run's tasks and timers are picked up from the store.
        d.activities.wake();
        d.timers.wake();
        throw err;
      });
    if (!outcome.ok) throw outcome.error;
    for (const t of plan.tasks) d.activities.dispatch(t);
    if (plan.tasks.length > 0) d.activities.wake();
    for (const t of plan.timers) d.timers.add(t);
    if (plan.events.some((e) => e.seq > data.boundarySeq && e.type === 'SignalReceived')) {
      // Re-applied signals: the new run is activated to take them now. (After a crash here,
      // recovery does the same: the run's last event is no workflow-task boundary.)
      const actor = d.scheduler.actor(newKey);
      actor.needsActivation = true;
      d.scheduler.markReady(actor);
    }
  }
}

/**
 * A store failure while the intent or the new run was being committed: either may have been
 * recorded, so the call is not repeated (a repeat would reset the new run, or record a second
 * intent) and the caller is told which run to look for.
 */
function outcomeUnknown(err: unknown, newRunId: string): unknown {
  if (!isTransientStoreError(err)) return err;
  return new AionError(
    'store_unavailable',
    `the store failed while the reset was being recorded, so it may have happened: describe the workflow (a new run would be ${newRunId}) before trying again`,
    { outcome: 'unknown', newRunId },
    { cause: err },
  );
}
