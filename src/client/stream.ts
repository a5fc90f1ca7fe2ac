import { AionError, type HistoryEvent, type WorkflowStatus } from '../core/index.js';
import {
  historyStreamPath,
  runFeedPath,
  type HistoryStreamFrame,
  type RunChangeFrame,
  type RunFeedFrame,
} from '../protocol/index.js';
import { FrameSocket, isRetryableStreamError } from './frame-socket.js';

/** Where and how to connect. */
export interface StreamConnectOptions {
  /** Server address, e.g. `http://127.0.0.1:7233` (`https` → `wss`). */
  readonly address: string;
  /** Bearer API key (role reader or above) when the server has auth on. */
  readonly apiKey?: string;
  /** Default `default`. */
  readonly namespace?: string;
  /**
   * Frames (in bytes) held for a slow consumer before the socket stops reading, which makes
   * the server report `lagged` and the stream resume later. Default 4 MiB.
   */
  readonly highWaterBytes?: number;
  /** Stops the stream: the iterator throws the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Reconnect backoff: `initialMs` (default 100) doubling up to `maxMs` (default 5000), at
   * most `maxAttempts` failed connections in a row (default 10; a frame resets the count).
   */
  readonly retry?: {
    readonly initialMs?: number;
    readonly maxMs?: number;
    readonly maxAttempts?: number;
  };
  /** Called before each reconnect (after `lagged`, a dropped connection, or a retryable error). */
  readonly onReconnect?: (info: {
    readonly reason: 'lagged' | 'disconnected' | 'error';
    readonly attempt: number;
    readonly runId?: string;
    readonly fromSeq?: number;
  }) => void;
}

export interface SubscribeHistoryOptions extends StreamConnectOptions {
  readonly workflowId: string;
  /** Default: the workflow's current run. */
  readonly runId?: string;
  /** First seq to yield. Default 1. */
  readonly fromSeq?: number;
  /** Follow continue-as-new into successor runs. Default true. */
  readonly follow?: boolean;
  /**
   * Ask the server to decode payloads with its codecs (needs the `operator` or `admin` role).
   * Default false: payloads as the server stores them. See docs/data-protection.md.
   */
  readonly decode?: boolean;
}

/**
 * A workflow's history as an async iterable: the stored events from `fromSeq`, then each event
 * as it is committed, until the run closes (or, following continue-as-new, the chain ends).
 * Every event is yielded exactly once in seq order: after a dropped connection or a `lagged`
 * frame it reconnects with backoff from the last seq it yielded. `runId` names the run of the
 * last yielded event (it changes when following continue-as-new).
 *
 * @example
 * const stream = subscribeHistory({ address, namespace: 'default', workflowId: 'order-1' });
 * for await (const event of stream) console.log(stream.runId, event.seq, event.type);
 */
export function subscribeHistory(options: SubscribeHistoryOptions): HistoryStream {
  return new HistoryStream(options);
}

export class HistoryStream implements AsyncIterable<HistoryEvent> {
  readonly #o: SubscribeHistoryOptions;
  #runId: string | undefined;
  #lastSeq: number;

  constructor(options: SubscribeHistoryOptions) {
    if (
      options.fromSeq !== undefined &&
      !(Number.isSafeInteger(options.fromSeq) && options.fromSeq >= 1)
    ) {
      throw new AionError('invalid_argument', 'fromSeq must be a positive integer', {
        field: 'fromSeq',
      });
    }
    this.#o = options;
    this.#runId = options.runId;
    this.#lastSeq = (options.fromSeq ?? 1) - 1;
  }

  /** Run of the last yielded event (or the requested run before the first). */
  get runId(): string | undefined {
    return this.#runId;
  }

  /** Seq of the last yielded event in `runId` (`fromSeq - 1` before the first). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<HistoryEvent, void, undefined> {
    const o = this.#o;
    const follow = o.follow ?? true;
    const backoff = new Backoff(o);
    for (;;) {
      const query = new URLSearchParams({
        fromSeq: String(this.#lastSeq + 1),
        follow: String(follow),
      });
      if (this.#runId !== undefined) query.set('runId', this.#runId);
      if (o.decode === true) query.set('decode', 'true');
      const path = historyStreamPath(o.namespace ?? 'default', o.workflowId);
      const socket = open(o, `${path}?${query.toString()}`);
      let reason: 'lagged' | 'disconnected' | 'error' = 'disconnected';
      let failure: Error | undefined;
      try {
        for (;;) {
          const frame = (await socket.next()) as HistoryStreamFrame | undefined;
          if (frame === undefined) break;
          backoff.reset();
          switch (frame.type) {
            case 'subscribed':
              this.#runId ??= frame.runId;
              break;
            case 'events':
              for (const event of frame.events) {
                if (frame.runId !== this.#runId || event.seq <= this.#lastSeq) continue;
                if (event.seq !== this.#lastSeq + 1) {
                  throw new AionError(
                    'internal',
                    `stream skipped from seq ${this.#lastSeq} to ${event.seq}`,
                    {},
                  );
                }
                this.#lastSeq = event.seq;
                yield event;
              }
              break;
            case 'continued':
              if (frame.fromRunId === this.#runId) {
                this.#runId = frame.runId;
                this.#lastSeq = 0;
              }
              break;
            case 'run_closed':
              if (!follow || frame.nextRunId === undefined) return;
              break;
            case 'lagged':
              reason = 'lagged';
              break;
            case 'error':
              failure = new AionError(frame.code, frame.message, frame.details ?? {});
              break;
            case 'live':
              break;
          }
        }
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
      } finally {
        socket.close();
      }
      failure ??= socket.error;
      if (failure !== undefined) {
        if (!isRetryableStreamError(failure)) throw failure;
        reason = reason === 'lagged' ? reason : 'error';
      }
      const attempt = await backoff.wait(failure, reason === 'lagged');
      o.onReconnect?.({
        reason,
        attempt,
        ...(this.#runId !== undefined ? { runId: this.#runId } : {}),
        fromSeq: this.#lastSeq + 1,
      });
    }
  }
}

/** A gap marker of the run feed: changes may have been missed (re-list to reconcile). */
export interface RunFeedGap {
  readonly type: 'gap';
  readonly reason: 'lagged' | 'disconnected' | 'error';
}

export interface SubscribeRunsOptions extends StreamConnectOptions {
  /** Only runs of these workflow types. */
  readonly workflowTypes?: readonly string[];
  /** Only changes leaving a run in one of these statuses. */
  readonly statuses?: readonly WorkflowStatus[];
  /** Only these kinds of change. Default all. */
  readonly changes?: readonly RunChangeFrame['change'][];
}

/**
 * The live feed of run lifecycle changes (started, status, closed) in a namespace. It
 * reconnects by itself; since the feed is live-only, each reconnect yields a `gap` item first
 * so the consumer knows changes may have been missed (list workflows to reconcile).
 *
 * @example
 * for await (const item of subscribeRuns({ address, statuses: ['FAILED'] })) {
 *   if (item.type === 'run') alert(item.workflowId);
 * }
 */
export async function* subscribeRuns(
  options: SubscribeRunsOptions,
): AsyncGenerator<RunChangeFrame | RunFeedGap, void, undefined> {
  const backoff = new Backoff(options);
  const query = new URLSearchParams();
  if (options.workflowTypes?.length) query.set('workflowType', options.workflowTypes.join(','));
  if (options.statuses?.length) query.set('status', options.statuses.join(','));
  if (options.changes?.length) query.set('change', options.changes.join(','));
  const path = `${runFeedPath(options.namespace ?? 'default')}?${query.toString()}`;
  for (let first = true; ; first = false) {
    const socket = open(options, path);
    let reason: RunFeedGap['reason'] = 'disconnected';
    let failure: Error | undefined;
    try {
      for (;;) {
        const frame = (await socket.next()) as RunFeedFrame | undefined;
        if (frame === undefined) break;
        backoff.reset();
        if (frame.type === 'subscribed' && !first) yield { type: 'gap', reason };
        else if (frame.type === 'run') yield frame;
        else if (frame.type === 'lagged') reason = 'lagged';
        else if (frame.type === 'error') {
          failure = new AionError(frame.code, frame.message, frame.details ?? {});
        }
      }
    } finally {
      socket.close();
    }
    failure ??= socket.error;
    if (failure !== undefined) {
      if (!isRetryableStreamError(failure)) throw failure;
      reason = reason === 'lagged' ? reason : 'error';
    }
    const attempt = await backoff.wait(failure, reason === 'lagged');
    options.onReconnect?.({ reason, attempt });
  }
}

function open(o: StreamConnectOptions, pathAndQuery: string): FrameSocket {
  o.signal?.throwIfAborted();
  const base = new URL(o.address);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${base.origin}${pathAndQuery}`;
  const headers: Record<string, string> = {};
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  const socket = new FrameSocket(url, headers, o.highWaterBytes);
  o.signal?.addEventListener('abort', () => socket.close(), { once: true });
  return socket;
}

/** Exponential backoff between reconnects; gives up after `maxAttempts` failures in a row. */
class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #maxAttempts: number;
  readonly #signal: AbortSignal | undefined;
  #attempt = 0;

  constructor(o: StreamConnectOptions) {
    this.#initial = o.retry?.initialMs ?? 100;
    this.#max = o.retry?.maxMs ?? 5000;
    this.#maxAttempts = o.retry?.maxAttempts ?? 10;
    this.#signal = o.signal;
  }

  reset(): void {
    this.#attempt = 0;
  }

  /** Waits before the next attempt; `immediate` (after `lagged`) skips the first delay. */
  async wait(lastError: unknown, immediate: boolean): Promise<number> {
    this.#signal?.throwIfAborted();
    const attempt = ++this.#attempt;
    if (attempt > this.#maxAttempts) {
      throw new AionError(
        'unavailable',
        `event stream: gave up after ${this.#maxAttempts} failed connections${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
        {},
      );
    }
    const ms =
      immediate && attempt === 1 ? 0 : Math.min(this.#max, this.#initial * 2 ** (attempt - 1));
    if (ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms * (0.5 + Math.random() / 2));
        this.#signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(this.#signal?.reason as Error);
          },
          { once: true },
        );
      });
    }
    this.#signal?.throwIfAborted();
    return attempt;
  }
}
