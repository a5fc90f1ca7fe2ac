// Reading schedules: describe (definition, state, next fire times, recent and running actions,
// counts) and list with a filter over the schedules' search attributes.
import type { Clock } from '../../clock/index.js';
import type {
  DataConverter,
  ScheduleActionResult,
  ScheduleDescription,
  ScheduleListOptions,
  ScheduleSummary,
} from '../../core/index.js';
import { AionError } from '../../core/index.js';
import type {
  RunInfo,
  ScheduleFire,
  ScheduleRecord,
  Store,
  VisibilityExpr,
} from '../../store/index.js';
import { nextFireTimes } from '../../schedules/index.js';
import { decodeMemo, specOf, type StoredState } from './definition.js';
import { isActive } from './decide.js';
import { load, notFound } from './schedule-runner.js';

const NEXT_TIMES = 10;
const RECENT = 10;

export interface ScheduleReadDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly converter: DataConverter;
  /** Compiles a list query (the workflow list language) for a namespace. */
  readonly compileQuery: (namespace: string, query: string) => Promise<VisibilityExpr>;
  /** Evaluates a compiled query against a row shaped like a run's visibility row. */
  readonly matches: (expr: VisibilityExpr, row: RunInfo) => boolean;
}

export class ScheduleReads {
  readonly #d: ScheduleReadDeps;

  constructor(deps: ScheduleReadDeps) {
    this.#d = deps;
  }

  async describe(namespace: string, scheduleId: string): Promise<ScheduleDescription> {
    const record = await this.#d.store.getSchedule(namespace, scheduleId);
    if (record === undefined) throw notFound(namespace, scheduleId);
    const fires = await this.#d.store.listScheduleFires({ namespace, scheduleId, limit: RECENT });
    return this.#describe(record, fires);
  }

  #describe(record: ScheduleRecord, fires: readonly ScheduleFire[]): ScheduleDescription {
    const s = load(record);
    const { definition: def, state } = s;
    const a = def.action;
    const conv = this.#d.converter;
    const memo = decodeMemo(conv, def.memo);
    const actionMemo = decodeMemo(conv, a.memo);
    return {
      scheduleId: record.scheduleId,
      spec: specOf(def.spec),
      action: {
        type: 'startWorkflow',
        workflowType: a.workflowType,
        workflowId: a.workflowId,
        taskQueue: a.taskQueue,
        args: a.args.map((p) => conv.decode(p)),
        ...(a.executionTimeoutMs !== undefined
          ? { workflowExecutionTimeout: a.executionTimeoutMs }
          : {}),
        ...(a.runTimeoutMs !== undefined ? { workflowRunTimeout: a.runTimeoutMs } : {}),
        ...(a.retryPolicy ? { retry: a.retryPolicy } : {}),
        ...(actionMemo ? { memo: actionMemo } : {}),
        ...(a.searchAttributes ? { searchAttributes: a.searchAttributes } : {}),
        ...(a.headers ? { headers: a.headers } : {}),
      },
      policies: {
        overlap: def.policies.overlap,
        catchupWindow: def.policies.catchupWindowMs,
        pauseOnFailure: def.policies.pauseOnFailure,
      },
      state: {
        paused: state.paused,
        ...(state.note !== undefined ? { note: state.note } : {}),
        ...(state.remainingActions !== undefined
          ? { remainingActions: state.remainingActions }
          : {}),
      },
      info: {
        nextActionTimes: this.#nextTimes(s.compiled, state, NEXT_TIMES),
        recentActions: [...fires].reverse().map(actionResult),
        runningActions: state.running.map((r) => ({
          type: 'startWorkflow' as const,
          workflow: { workflowId: r.workflowId, firstExecutionRunId: r.runId },
        })),
        bufferedActions: state.buffer.length,
        numActionsTaken: state.counts.taken,
        numActionsMissedCatchupWindow: state.counts.missed,
        numActionsSkippedOverlap: state.counts.skipped,
        numActionsDropped: state.counts.dropped,
        numActionsFailed: state.counts.failed,
        createdAt: new Date(record.createdAt),
        lastUpdatedAt: new Date(record.updatedAt),
      },
      ...(memo ? { memo } : {}),
      searchAttributes: record.searchAttributes,
      conflictToken: record.version,
    };
  }

  #nextTimes(compiled: ReturnType<typeof load>['compiled'], state: StoredState, n: number): Date[] {
    if (!isActive(state)) return [];
    const after = Math.max(state.processedThrough, this.#d.clock.now());
    const times = nextFireTimes(compiled, new Date(after), n);
    return state.remainingActions !== undefined ? times.slice(0, state.remainingActions) : times;
  }

  async *list(
    namespace: string,
    options: ScheduleListOptions = {},
  ): AsyncIterable<ScheduleSummary> {
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      throw new AionError('invalid_argument', 'pageSize must be an integer from 1 to 1000', {
        field: 'pageSize',
      });
    const where =
      options.query !== undefined && options.query.trim() !== ''
        ? await this.#d.compileQuery(namespace, options.query)
        : undefined;
    for (let after: string | undefined; ;) {
      const page = await this.#d.store.listSchedules({
        namespace,
        limit: pageSize,
        ...(after !== undefined ? { after } : {}),
      });
      for (const record of page) {
        if (where !== undefined && !this.#d.matches(where, asRow(record))) continue;
        yield this.#summary(record);
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.scheduleId;
    }
  }

  #summary(record: ScheduleRecord): ScheduleSummary {
    const s = load(record);
    const memo = decodeMemo(this.#d.converter, s.definition.memo);
    return {
      scheduleId: record.scheduleId,
      spec: specOf(s.definition.spec),
      action: { type: 'startWorkflow', workflowType: s.definition.action.workflowType },
      state: {
        paused: s.state.paused,
        ...(s.state.note !== undefined ? { note: s.state.note } : {}),
      },
      info: { nextActionTimes: this.#nextTimes(s.compiled, s.state, 5), recentActions: [] },
      ...(memo ? { memo } : {}),
      searchAttributes: record.searchAttributes,
    };
  }
}

function actionResult(f: ScheduleFire): ScheduleActionResult {
  return {
    scheduledAt: new Date(f.nominalAt),
    takenAt: new Date(f.actualAt),
    kind: f.kind,
    outcome: f.outcome,
    ...(f.workflowId !== undefined && f.runId !== undefined
      ? {
          action: {
            type: 'startWorkflow' as const,
            workflow: { workflowId: f.workflowId, firstExecutionRunId: f.runId },
          },
        }
      : {}),
    ...(f.reason !== undefined ? { reason: f.reason } : {}),
  };
}

/**
 * A schedule as a visibility row, so the workflow list language filters schedules:
 * `WorkflowId` is the schedule id (also `ScheduleId`), `WorkflowType` the action's type,
 * `ExecutionStatus` is `Paused` or `Running`, custom attributes are the schedule's own.
 */
function asRow(record: ScheduleRecord): RunInfo {
  const s = load(record);
  return {
    namespace: record.namespace,
    workflowId: record.scheduleId,
    runId: record.scheduleId,
    workflowType: s.definition.action.workflowType,
    taskQueue: s.definition.action.taskQueue,
    status: s.state.paused ? 'PAUSED' : 'RUNNING',
    version: '',
    startTime: record.createdAt,
    headSeq: 0,
    searchAttributes: record.searchAttributes,
    memo: {},
  };
}
