// Finds the run a call addresses (a workflow's current run, or one given run) and the
// terminal event of a closed run.
import { AionError, isTerminalEventType, type HistoryEvent } from '../../core/index.js';
import type { RunInfo, Store } from '../../store/index.js';

/** A workflow (its current run) or one run of it, in a namespace. */
export interface RunRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string | undefined;
  /**
   * With `runId` undefined: the current run must belong to the chain of this run (the run a
   * start returned) — the same run, or one recording the same first run.
   */
  readonly chainOf?: string;
}

export class RunResolver {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The addressed run; `not_found` when there is none. */
  async resolve(ref: RunRef): Promise<RunInfo> {
    const info = ref.runId
      ? await this.#store.getRun({
          namespace: ref.namespace,
          workflowId: ref.workflowId,
          runId: ref.runId,
        })
      : await this.#store.getCurrentRun(ref.namespace, ref.workflowId);
    if (info && !ref.runId && ref.chainOf !== undefined && info.runId !== ref.chainOf)
      await this.#checkChain(info, ref.chainOf);
    if (!info) {
      throw new AionError(
        'not_found',
        `workflow ${JSON.stringify(ref.workflowId)}${ref.runId ? ` run ${ref.runId}` : ''} not found in namespace ${ref.namespace}`,
        {
          workflowId: ref.workflowId,
          ...(ref.runId ? { runId: ref.runId } : {}),
        },
      );
    }
    return info;
  }

  /** `not_found` unless `current` and run `anchor` have the same first run. */
  async #checkChain(current: RunInfo, anchor: string): Promise<void> {
    const firstOf = async (runId: string): Promise<string | undefined> => {
      const [started] = await this.#store.readHistory(
        { namespace: current.namespace, workflowId: current.workflowId, runId },
        { toSeq: 1 },
      );
      return started?.type === 'WorkflowStarted' ? (started.firstRunId ?? runId) : undefined;
    };
    const [mine, theirs] = await Promise.all([firstOf(current.runId), firstOf(anchor)]);
    if (mine !== undefined && mine === theirs) return;
    throw new AionError(
      'not_found',
      `workflow ${JSON.stringify(current.workflowId)}: its current run ${current.runId} is not in the chain of run ${anchor} (a new workflow with the same id started since)`,
      { workflowId: current.workflowId, runId: anchor },
    );
  }

  /** The addressed run, which must still be open; `workflow_closed` (or `code`) otherwise. */
  async resolveOpen(
    ref: RunRef,
    action: string,
    code: 'workflow_closed' | 'invalid_state' = 'workflow_closed',
  ): Promise<RunInfo> {
    return this.checkOpen(await this.resolve(ref), action, code);
  }

  /** `info` when its run is still open; `workflow_closed` (or `code`) otherwise. */
  checkOpen(
    info: RunInfo,
    action: string,
    code: 'workflow_closed' | 'invalid_state' = 'workflow_closed',
  ): RunInfo {
    if (info.closeTime !== undefined) {
      throw new AionError(
        code,
        `cannot ${action} workflow ${info.workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    return info;
  }

  /** The terminal event of a closed run. */
  async terminalOf(info: RunInfo): Promise<HistoryEvent> {
    const [last] = await this.#store.readHistory(info, { fromSeq: info.headSeq });
    if (!last || !isTerminalEventType(last.type))
      throw new AionError(
        'internal',
        `run ${info.runId} is closed but its last event is not terminal`,
      );
    return last;
  }
}
