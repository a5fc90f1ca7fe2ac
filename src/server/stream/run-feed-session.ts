import {
  isTerminalEventType,
  statusOfTerminal,
  type HistoryEvent,
  type WorkflowStatus,
} from '../../core/index.js';
import type { CommittedEvents } from '../../engine/index.js';
import type { Engine } from '../../engine/index.js';
import type { RunChangeFrame, RunFeedSubscribedFrame } from '../../protocol/index.js';
import type { SocketSink } from './socket-sink.js';

export type RunChange = RunChangeFrame['change'];

export interface RunFeedFilter {
  readonly namespace: string;
  /** Only runs of these types. Default: every type. */
  readonly workflowTypes?: ReadonlySet<string>;
  /** Only changes that leave the run in one of these statuses. Default: every status. */
  readonly statuses?: ReadonlySet<WorkflowStatus>;
  /** Only these kinds of change. Default: all. */
  readonly changes?: ReadonlySet<RunChange>;
}

/**
 * The filtered live feed of run lifecycle changes in a namespace: started, status (paused,
 * resumed) and closed, as they are committed. Live only: a client that needs the state
 * before it connected lists workflows after subscribing.
 */
export class RunFeedSession {
  readonly #engine: Engine;
  readonly #sink: SocketSink;
  readonly #filter: RunFeedFilter;
  #unsubscribe: (() => void) | undefined;

  constructor(engine: Engine, sink: SocketSink, filter: RunFeedFilter) {
    this.#engine = engine;
    this.#sink = sink;
    this.#filter = filter;
  }

  start(): void {
    const { namespace } = this.#filter;
    this.#unsubscribe = this.#engine.events.subscribe((b) => this.#onLive(b), { namespace });
    this.#sink.onClose(() => this.#stop());
    void this.#sink.send({ type: 'subscribed', namespace } satisfies RunFeedSubscribedFrame);
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #onLive(batch: CommittedEvents): void {
    const f = this.#filter;
    if (this.#sink.closed) return;
    if (f.workflowTypes && !f.workflowTypes.has(batch.workflowType)) return;
    for (const e of batch.events) {
      const change = changeOf(e);
      if (!change) continue;
      if (f.changes && !f.changes.has(change.change)) continue;
      if (f.statuses && !f.statuses.has(change.status)) continue;
      void this.#sink.send({
        type: 'run',
        change: change.change,
        namespace: batch.namespace,
        workflowId: batch.workflowId,
        runId: batch.runId,
        workflowType: batch.workflowType,
        status: change.status,
        seq: e.seq,
        at: e.recordedAt,
      } satisfies RunChangeFrame);
      if (this.#sink.overloaded) {
        this.#stop();
        this.#sink.lagged({});
        return;
      }
    }
  }
}

function changeOf(e: HistoryEvent): { change: RunChange; status: WorkflowStatus } | undefined {
  if (e.type === 'WorkflowStarted') return { change: 'started', status: 'RUNNING' };
  if (e.type === 'WorkflowPaused') return { change: 'status', status: 'PAUSED' };
  if (e.type === 'WorkflowResumed') return { change: 'status', status: 'RUNNING' };
  if (isTerminalEventType(e.type)) return { change: 'closed', status: statusOfTerminal(e.type) };
  return undefined;
}
