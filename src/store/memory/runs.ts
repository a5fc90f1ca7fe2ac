// The memory store's runs: each run's visibility row and encoded history, the open run of each
// workflow id and its chain of runs. Reads answer the run, history and open-run lookups.
import { decodeEvent, type HistoryEvent, type RunKey, type Mutable } from '../../core/index.js';
import type { ReadRange, RunInfo, VisibilityPatch } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { inShards, key } from './keys.js';

interface RunState {
  info: RunInfo;
  /** Events stored as encoded text, exactly as SQL stores keep them. */
  events: string[];
}

export class MemoryRuns {
  readonly #runs = new Map<string, RunState>();
  readonly #openByWorkflow = new Map<string, string>();
  readonly #chains = new Map<string, string[]>();

  /** The row of a run by namespace and run id (the workflow id is not checked). */
  info(run: RunKey): RunInfo | undefined {
    return this.#runs.get(key(run.namespace, run.runId))?.info;
  }

  /** The open run id of a workflow id, if any. */
  openRunOf(namespace: string, workflowId: string): string | undefined {
    return this.#openByWorkflow.get(key(namespace, workflowId));
  }

  /**
   * Stores a run's new row and appends its encoded events; the first record of a run creates
   * it, adds it to its workflow id's chain and makes it that id's open run.
   */
  record(run: RunKey, info: RunInfo, encoded: readonly string[]): void {
    const state = this.#runs.get(key(run.namespace, run.runId));
    if (state !== undefined) {
      state.info = info;
      state.events.push(...encoded);
      return;
    }
    this.#runs.set(key(run.namespace, run.runId), { info, events: [...encoded] });
    const wfKey = key(run.namespace, run.workflowId);
    const chain = this.#chains.get(wfKey) ?? [];
    chain.push(run.runId);
    this.#chains.set(wfKey, chain);
    this.#openByWorkflow.set(wfKey, run.runId);
  }

  /** Sets or clears the durable stuck flag of an open run; a closed run is left as it is. */
  patchVisibility(run: RunKey, patch: VisibilityPatch): void {
    const state = this.#runs.get(key(run.namespace, run.runId));
    if (state === undefined || patch.stuck === undefined || state.info.closeTime !== undefined)
      return;
    const info: Mutable<RunInfo> = { ...state.info };
    if (patch.stuck === null) delete info.stuck;
    else info.stuck = { ...patch.stuck };
    state.info = info;
  }

  /** Frees the workflow id of a run that closed, if the run still holds it. */
  releaseWorkflowId(run: RunKey): void {
    const wfKey = key(run.namespace, run.workflowId);
    if (this.#openByWorkflow.get(wfKey) === run.runId) this.#openByWorkflow.delete(wfKey);
  }

  /** Every run's row, in the order the runs were created. */
  *infos(): IterableIterator<RunInfo> {
    for (const state of this.#runs.values()) yield state.info;
  }

  /** The id of an open run pinned to a package version, if any. */
  pinnedTo(namespace: string, version: string): string | undefined {
    for (const i of this.infos()) {
      if (i.namespace === namespace && i.version === version && i.closeTime === undefined)
        return i.runId;
    }
    return undefined;
  }

  readHistory(run: RunKey, range: ReadRange = {}): HistoryEvent[] {
    const state = this.#runs.get(key(run.namespace, run.runId));
    if (!state) return [];
    const from = Math.max(1, range.fromSeq ?? 1);
    const to = Math.min(state.events.length, range.toSeq ?? state.events.length);
    const out: HistoryEvent[] = [];
    for (
      let seq = from;
      seq <= to && (range.limit === undefined || out.length < range.limit);
      seq++
    ) {
      out.push(decodeEvent(state.events[seq - 1]!, { runId: run.runId, seq }));
    }
    return out;
  }

  headSeq(run: RunKey): number {
    return this.info(run)?.headSeq ?? 0;
  }

  getRun(run: RunKey): RunInfo | undefined {
    const info = this.info(run);
    return info?.workflowId === run.workflowId ? info : undefined;
  }

  getCurrentRun(namespace: string, workflowId: string): RunInfo | undefined {
    const wfKey = key(namespace, workflowId);
    const open = this.#openByWorkflow.get(wfKey);
    const chain = this.#chains.get(wfKey);
    const runId = open ?? chain?.[chain.length - 1];
    return runId === undefined ? undefined : this.#runs.get(key(namespace, runId))?.info;
  }

  getRunChain(namespace: string, workflowId: string): RunInfo[] {
    const chain = this.#chains.get(key(namespace, workflowId)) ?? [];
    return chain.map((id) => this.#runs.get(key(namespace, id))!.info);
  }

  listOpenRuns(request: {
    after?: { namespace: string; runId: string };
    limit: number;
    shards?: readonly number[];
  }): RunInfo[] {
    const after = request.after;
    const open = [...this.infos()]
      .filter(
        (i) => i.closeTime === undefined && inShards(request.shards, i.namespace, i.workflowId),
      )
      .filter(
        (i) =>
          !after ||
          compareStrings(key(i.namespace, i.runId), key(after.namespace, after.runId)) > 0,
      )
      .sort((a, b) => compareStrings(key(a.namespace, a.runId), key(b.namespace, b.runId)));
    return open.slice(0, request.limit);
  }

  /**
   * Deletes up to `limit` closed runs of a namespace closed before `closedBefore`, in creation
   * order, with their histories; `dropRows` deletes the rows each one owns in other parts.
   */
  purgeClosedRuns(
    request: { namespace: string; closedBefore: number; limit: number },
    dropRows: (run: RunInfo) => void,
  ): number {
    let purged = 0;
    for (const [runKey, s] of this.#runs) {
      if (purged >= request.limit) break;
      const i = s.info;
      if (
        i.namespace !== request.namespace ||
        i.closeTime === undefined ||
        i.closeTime >= request.closedBefore
      )
        continue;
      this.#runs.delete(runKey);
      const wfKey = key(i.namespace, i.workflowId);
      const chain = this.#chains.get(wfKey)?.filter((id) => id !== i.runId) ?? [];
      if (chain.length === 0) this.#chains.delete(wfKey);
      else this.#chains.set(wfKey, chain);
      dropRows(i);
      purged++;
    }
    return purged;
  }
}
