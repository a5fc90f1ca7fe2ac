import WebSocket from 'ws';
import { AionError, isAionError, type ErrorCode } from '../core/index.js';

/** How a frame socket ended. */
export interface SocketEnd {
  readonly code: number;
  readonly reason: string;
}

/**
 * One WebSocket connection read as a pull-based sequence of JSON frames. When more than
 * `highWaterBytes` of frames wait for the reader the socket is paused, so a slow reader
 * pushes back on the server (which then reports `lagged`) instead of buffering without bound.
 */
export class FrameSocket {
  readonly #ws: WebSocket;
  readonly #queue: { frame: unknown; bytes: number }[] = [];
  readonly #highWater: number;
  #queuedBytes = 0;
  #paused = false;
  #end: SocketEnd | undefined;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(url: string, headers: Record<string, string>, highWaterBytes = 4 * 1024 * 1024) {
    this.#highWater = highWaterBytes;
    this.#ws = new WebSocket(url, { headers, maxPayload: 256 * 1024 * 1024 });
    this.#ws.on('message', (data: WebSocket.RawData) => {
      const text = rawText(data);
      try {
        this.#queue.push({ frame: JSON.parse(text), bytes: text.length });
        this.#queuedBytes += text.length;
      } catch {
        this.#error ??= new AionError('internal', 'the server sent a frame that is not JSON', {});
        this.close();
      }
      if (this.#queuedBytes >= this.#highWater && !this.#paused) {
        this.#paused = true;
        this.#ws.pause();
      }
      this.#notify();
    });
    this.#ws.on('unexpected-response', (_req, res) => {
      // Refused before the upgrade (e.g. an HTTP error from a proxy or an older server).
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        this.#error ??= errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString());
        this.#ws.terminate();
        this.#finish({ code: 1006, reason: '' });
      });
    });
    this.#ws.on('error', (err) => {
      this.#error ??= err;
    });
    this.#ws.on('close', (code, reason) => this.#finish({ code, reason: reason.toString() }));
  }

  /** Next frame; `undefined` once the connection ended (see `end`/`error`). */
  async next(): Promise<unknown> {
    for (;;) {
      if (this.#queue.length > 0) {
        const item = this.#queue.shift()!;
        this.#queuedBytes -= item.bytes;
        if (this.#paused && this.#queuedBytes <= this.#highWater / 2) {
          this.#paused = false;
          this.#ws.resume();
        }
        return item.frame;
      }
      if (this.#end) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Why the connection ended (set once `next` returned undefined). */
  get end(): SocketEnd | undefined {
    return this.#end;
  }

  /** A transport error seen on the way (connection refused, HTTP refusal, bad frame). */
  get error(): Error | undefined {
    return this.#error;
  }

  close(): void {
    if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
    else if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
  }

  #finish(end: SocketEnd): void {
    this.#end ??= end;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function errorFromResponse(status: number, text: string): AionError {
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; details?: unknown };
    if (typeof body.code === 'string' && typeof body.message === 'string') {
      return new AionError(
        body.code as ErrorCode,
        body.message,
        (body.details as Record<string, unknown> | undefined) ?? {},
      );
    }
  } catch {
    // not an Aion error body
  }
  return new AionError(
    status >= 500 || status === 0 ? 'unavailable' : 'invalid_argument',
    `the server refused the stream with HTTP ${status}`,
    { status },
  );
}

/** Error codes worth reconnecting for (the condition is expected to pass). */
export function isRetryableStreamError(err: unknown): boolean {
  if (!isAionError(err)) return true; // network errors
  return err.retryable || err.code === 'unavailable' || err.code === 'internal';
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
