import type { WebSocket } from 'ws';
import { AionError, isAionError } from '../../core/index.js';
import { STREAM_CLOSE, type ErrorFrame, type LaggedFrame } from '../../protocol/index.js';

/** Limits of one stream connection. */
export interface StreamLimits {
  /**
   * Bytes the server may hold queued for a socket before the client counts as lagging: it gets
   * a `lagged` frame and the connection closes. Default 8 MiB.
   */
  readonly maxBufferedBytes: number;
  /** Events read from the store per catch-up page. Default 200. */
  readonly pageSize: number;
  /** Target size of one `events` frame (at least one event per frame). Default 1 MiB. */
  readonly frameBytes: number;
  /** Live events held while a catch-up read is in flight before the client counts as lagging. Default 10,000. */
  readonly maxPendingEvents: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = Object.freeze({
  maxBufferedBytes: 8 * 1024 * 1024,
  pageSize: 200,
  frameBytes: 1024 * 1024,
  maxPendingEvents: 10_000,
});

/**
 * One WebSocket seen as a frame sink: JSON text frames, a bound on queued bytes, and the
 * terminal frames (`error`, `lagged`) that always precede the close.
 */
export class SocketSink {
  readonly #socket: WebSocket;
  readonly #maxBuffered: number;
  #closed = false;
  readonly #onLagged: () => void;
  #onClose: (() => void) | undefined;

  constructor(socket: WebSocket, maxBufferedBytes: number, onLagged: () => void = () => {}) {
    this.#socket = socket;
    this.#maxBuffered = maxBufferedBytes;
    this.#onLagged = onLagged;
    socket.on('close', () => this.#markClosed());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once when the connection ends, whoever ends it. */
  onClose(fn: () => void): void {
    this.#onClose = fn;
    if (this.#closed) fn();
  }

  /** True when more is queued for this socket than the bound allows. */
  get overloaded(): boolean {
    return this.#socket.bufferedAmount > this.#maxBuffered;
  }

  /** Sends a JSON text frame (already serialized). Resolves once written to the OS (or dropped on close). */
  sendRaw(text: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#socket.send(text, () => resolve()));
  }

  send(frame: object): Promise<void> {
    return this.sendRaw(JSON.stringify(frame));
  }

  /** Sends `lagged` and closes: the client resumes from the frame's seq. */
  lagged(frame: Omit<LaggedFrame, 'type'>): void {
    if (this.#closed) return;
    void this.send({ type: 'lagged', ...frame } satisfies LaggedFrame);
    this.#onLagged();
    this.close(STREAM_CLOSE.lagged, 'lagged');
  }

  /** Also calls `fn` when the connection ends, whoever ends it (beside {@link onClose}). */
  whenClosed(fn: () => void): void {
    if (this.#closed) fn();
    else this.#socket.once('close', fn);
  }

  /**
   * Sends an `error` frame and closes (1008 for client mistakes, 1011 for server failures),
   * with the error's code as the close reason unless `reason` is given.
   */
  fail(err: unknown, reason?: string): void {
    if (this.#closed) return;
    const e = isAionError(err)
      ? err
      : new AionError('internal', `stream failed: ${(err as Error).message}`, {});
    const frame: ErrorFrame = {
      type: 'error',
      code: e.code,
      message: e.message,
      ...(Object.keys(e.details).length > 0 ? { details: e.details } : {}),
    };
    void this.send(frame);
    this.close(
      e.httpStatus >= 500 ? STREAM_CLOSE.internal : STREAM_CLOSE.refused,
      reason ?? e.code,
    );
  }

  /** Closes after everything queued has been sent (never drops queued frames). */
  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#socket.close(code, reason);
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    const fn = this.#onClose;
    this.#onClose = undefined;
    fn?.();
  }
}
