import {
  AionError,
  isTerminalEventType,
  statusOfTerminal,
  type HistoryEvent,
  type RunKey,
} from '../../core/index.js';
import { decodePayloads, encodePayloads } from '../../codecs/index.js';
import type { CommittedEvents } from '../../engine/index.js';
import type { Engine } from '../../engine/index.js';
import type {
  HistoryLiveFrame,
  HistorySubscribedFrame,
  RunClosedFrame,
  RunContinuedFrame,
} from '../../protocol/index.js';
import type { SocketSink, StreamLimits } from './socket-sink.js';

export interface HistorySubscription {
  readonly namespace: string;
  readonly workflowId: string;
  /** Default: the current run (the open one, else the latest). */
  readonly runId?: string;
  /** First seq to send. Default 1. */
  readonly fromSeq: number;
  /** Follow continue-as-new into the successor run instead of closing. */
  readonly follow: boolean;
  /**
   * Payloads decoded with the engine's codecs (`decode=true`, operator role); otherwise as the
   * store holds them — live events are encoded alike, so the stream is uniform.
   */
  readonly decode?: boolean;
}

/**
 * One history subscription: sends a run's stored suffix, then splices into the live feed.
 *
 * No gap, no duplicate: the live listener is registered *before* the first store read, and
 * the feed only publishes committed events, so every event is either in a later read or
 * arrives on the listener (or both — `#next` drops what was already sent). Live batches that
 * arrive while a read is in flight wait in `#pending`; a batch that would skip a seq (never
 * expected) triggers another read instead of a gap.
 */
export class HistorySession {
  readonly #engine: Engine;
  readonly #sink: SocketSink;
  readonly #limits: StreamLimits;
  readonly #sub: HistorySubscription;
  /** The run being streamed (set once resolved; moves on when following continue-as-new). */
  #run: RunKey = { namespace: '', workflowId: '', runId: '' };
  /** Next seq to send for `#run`. */
  #next: number;
  #catchingUp = false;
  #pending: CommittedEvents[] = [];
  #pendingEvents = 0;
  #liveSent = false;
  #unsubscribe: (() => void) | undefined;

  constructor(engine: Engine, sink: SocketSink, limits: StreamLimits, sub: HistorySubscription) {
    this.#engine = engine;
    this.#sink = sink;
    this.#limits = limits;
    this.#sub = sub;
    this.#next = sub.fromSeq;
  }

  async start(): Promise<void> {
    const { namespace, workflowId } = this.#sub;
    // Listen first, read second (see the class comment).
    this.#unsubscribe = this.#engine.events.subscribe((b) => this.#onLive(b), {
      namespace,
      workflowId,
    });
    this.#sink.onClose(() => this.#stop());
    const info =
      this.#sub.runId !== undefined
        ? await this.#engine.store.getRun({ namespace, workflowId, runId: this.#sub.runId })
        : await this.#engine.store.getCurrentRun(namespace, workflowId);
    if (this.#sink.closed) return;
    if (!info) {
      const what = this.#sub.runId !== undefined ? ` run ${this.#sub.runId}` : '';
      throw new AionError(
        'not_found',
        `workflow ${JSON.stringify(workflowId)}${what} not found in namespace ${namespace}`,
        { workflowId, ...(this.#sub.runId !== undefined ? { runId: this.#sub.runId } : {}) },
      );
    }
    if (this.#next > info.headSeq + 1) {
      throw new AionError(
        'invalid_argument',
        `fromSeq ${this.#next} is past the head of run ${info.runId} (${info.headSeq}) + 1`,
        { field: 'fromSeq', headSeq: info.headSeq },
      );
    }
    this.#run = { namespace, workflowId, runId: info.runId };
    void this.#sink.send({
      type: 'subscribed',
      namespace,
      workflowId,
      runId: info.runId,
      fromSeq: this.#next,
      headSeq: info.headSeq,
    } satisfies HistorySubscribedFrame);
    await this.#catchUp();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#pending = [];
  }

  #onLive(batch: CommittedEvents): void {
    if (this.#sink.closed) return;
    if (this.#catchingUp || this.#run.runId === '') {
      this.#pending.push(batch);
      this.#pendingEvents += batch.events.length;
      if (this.#pendingEvents > this.#limits.maxPendingEvents) this.#lagged();
      return;
    }
    this.#deliverLive(batch);
  }

  /** Reads the stored suffix of `#run` from `#next`, then drains what arrived meanwhile. */
  async #catchUp(): Promise<void> {
    this.#catchingUp = true;
    const { pageSize } = this.#limits;
    for (;;) {
      const run = this.#run;
      const page = await this.#engine.store.readHistory(run, {
        fromSeq: this.#next,
        limit: pageSize,
      });
      if (this.#sink.closed) return;
      const stored = page.filter((e) => e.seq >= this.#next);
      const fresh = this.#sub.decode ? decodePayloads(stored, this.#engine.payloadCodecs) : stored;
      if (fresh.length > 0) {
        await this.#sendEvents(fresh); // waits for the socket: a slow client slows the read
        if (this.#sink.closed) return;
        const last = fresh[fresh.length - 1]!;
        if (isTerminalEventType(last.type)) {
          this.#catchingUp = false;
          this.#runClosed(last);
          return;
        }
      }
      if (page.length < pageSize) {
        if (fresh.length === 0 && this.#next > 1 && (await this.#alreadyClosed())) return;
        break;
      }
    }
    this.#catchingUp = false;
    if (!this.#liveSent) {
      this.#liveSent = true;
      void this.#sink.send({
        type: 'live',
        runId: this.#run.runId,
        lastSeq: this.#next - 1,
      } satisfies HistoryLiveFrame);
    }
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingEvents = 0;
    for (const batch of pending) {
      if (this.#catchingUp) this.#pending.push(batch);
      else this.#deliverLive(batch);
    }
  }

  /** A resumed subscription past the terminal event: say the run is closed (and follow it). */
  async #alreadyClosed(): Promise<boolean> {
    const [last] = await this.#engine.store.readHistory(this.#run, {
      fromSeq: this.#next - 1,
      limit: 1,
    });
    if (this.#sink.closed) return true;
    if (!last || !isTerminalEventType(last.type)) return false;
    this.#catchingUp = false;
    this.#runClosed(last);
    return true;
  }

  #deliverLive(batch: CommittedEvents): void {
    // Another run of the workflow id: an older one is over; a successor is read from the store
    // when this run's continue-as-new is reached.
    if (batch.runId !== this.#run.runId) return;
    const live = batch.events.filter((e) => e.seq >= this.#next);
    if (live.length === 0) return;
    // Live events come from the engine's memory, plain: encode them as the store holds them.
    const fresh = this.#sub.decode ? live : encodePayloads(live, this.#engine.payloadCodecs);
    if (fresh[0]!.seq !== this.#next) {
      // Cannot happen with an ordered feed; re-read rather than leave a gap.
      void this.#catchUp().catch((err: unknown) => this.#sink.fail(err));
      return;
    }
    void this.#sendEvents(fresh);
    if (this.#sink.overloaded) {
      this.#lagged();
      return;
    }
    const last = fresh[fresh.length - 1]!;
    if (isTerminalEventType(last.type)) this.#runClosed(last);
  }

  /** Sends consecutive events in frames of about `frameBytes`; advances `#next`. */
  #sendEvents(events: readonly HistoryEvent[]): Promise<void> {
    const head = `{"type":"events","runId":${JSON.stringify(this.#run.runId)},"events":[`;
    const sent: Promise<void>[] = [];
    let parts: string[] = [];
    let bytes = 0;
    for (const e of events) {
      const text = JSON.stringify(e);
      if (parts.length > 0 && bytes + text.length > this.#limits.frameBytes) {
        sent.push(this.#sink.sendRaw(`${head}${parts.join(',')}]}`));
        parts = [];
        bytes = 0;
      }
      parts.push(text);
      bytes += text.length;
    }
    if (parts.length > 0) sent.push(this.#sink.sendRaw(`${head}${parts.join(',')}]}`));
    this.#next = events[events.length - 1]!.seq + 1;
    return Promise.all(sent).then(() => undefined);
  }

  #runClosed(terminal: HistoryEvent): void {
    // The chain goes on after a continue-as-new and after a failure the retry policy retries.
    const nextRunId =
      terminal.type === 'WorkflowContinuedAsNew' || terminal.type === 'WorkflowFailed'
        ? terminal.newRunId
        : undefined;
    void this.#sink.send({
      type: 'run_closed',
      runId: this.#run.runId,
      status: statusOfTerminal(terminal.type as Parameters<typeof statusOfTerminal>[0]),
      lastSeq: terminal.seq,
      ...(nextRunId !== undefined ? { nextRunId } : {}),
    } satisfies RunClosedFrame);
    if (!this.#sub.follow || nextRunId === undefined) {
      this.#sink.close(1000, 'run closed');
      return;
    }
    void this.#sink.send({
      type: 'continued',
      fromRunId: this.#run.runId,
      runId: nextRunId,
    } satisfies RunContinuedFrame);
    this.#run = { ...this.#run, runId: nextRunId };
    this.#next = 1;
    this.#liveSent = false;
    // The successor may not be stored yet: then the read is empty and its start arrives live.
    void this.#catchUp().catch((err: unknown) => this.#sink.fail(err));
  }

  #lagged(): void {
    this.#stop();
    const { runId } = this.#run;
    this.#sink.lagged(runId === '' ? {} : { runId, lastSeq: this.#next - 1 });
  }
}
