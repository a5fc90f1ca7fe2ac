// The runs part of the store contract: a run's visibility row (projected from its events)
// and the lookups by run, by workflow id and over open runs.
import type { Payload, RunKey, SearchAttributes, WorkflowStatus } from '../../core/index.js';

/** The visibility row of a run, projected from its events. */
export interface RunInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: WorkflowStatus;
  readonly version: string;
  readonly startTime: number;
  readonly closeTime?: number;
  readonly headSeq: number;
  readonly parent?: { readonly workflowId: string; readonly runId: string };
  readonly continuedFromRunId?: string;
  readonly searchAttributes: SearchAttributes;
  readonly memo: Readonly<Record<string, Payload>>;
  readonly stuck?: { readonly reason: string; readonly since: number };
}

export interface RunStore {
  getRun(run: RunKey): Promise<RunInfo | undefined>;
  /** The open run of a workflow id, else the most recently started one. */
  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined>;
  /** All runs of a workflow id in start order (oldest first). */
  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]>;
  /** Open runs of every namespace, for recovery, ordered by (namespace, runId); page with `after`. */
  listOpenRuns(request: {
    readonly after?: { readonly namespace: string; readonly runId: string };
    readonly limit: number;
    /** Only runs of these shards (a cluster node's own); every run when absent. */
    readonly shards?: readonly number[];
  }): Promise<RunInfo[]>;
}
