// The worker's WebSocket session with the server: connect and register, parse server
// frames, reconnect with jittered backoff, and stop for good when the API key is refused.
import WebSocket from 'ws';
import { AionError, ERROR_CODES, type ErrorCode } from '../core/index.js';
import {
  FrameSender,
  frameText,
  parseServerMessage,
  type RegisterFrame,
  type ServerFrame,
  type WorkerFrame,
} from '../protocol/index.js';
import { reconnectDelay } from './backoff.js';
import type { WorkerLog } from './log.js';
import type { WorkerOptions } from './types.js';

export interface ConnectionOptions {
  readonly url: string;
  /** Read on each connect, for its API key. */
  readonly connection: WorkerOptions['connection'];
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly log: WorkerLog;
  /** The register frame, sent first on every connection. */
  readonly register: () => RegisterFrame;
  /** The server accepted the registration: frames can be sent from now on. */
  readonly onRegistered: () => void;
  /** Every server frame but `registered`. */
  readonly onFrame: (frame: ServerFrame) => void;
}

/** The worker's life as the reconnect loop sees it. */
export interface ConnectionLifecycle {
  /** Called before each connection attempt. */
  readonly connecting: () => void;
  readonly stopped: () => boolean;
  /** The server refused the API key: the loop ends with that error. */
  readonly refused: () => void;
}

/** One worker's connection to the server, re-established until the worker stops. */
export class WorkerConnection {
  readonly #options: ConnectionOptions;
  #ws: WebSocket | undefined;
  /** The frames to `#ws`: batched once the server agreed to batches in `registered`. */
  #out: FrameSender | undefined;
  #registered = false;
  #wakeSleep: (() => void) | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  /**
   * Connects, and reconnects after each disconnect (backoff resets once a connection
   * registered) until `lifecycle.stopped()`. Rejects when the server refuses the API key.
   */
  async run(lifecycle: ConnectionLifecycle): Promise<void> {
    let failures = 0;
    while (!lifecycle.stopped()) {
      lifecycle.connecting();
      const { registered, fatal } = await this.#connectOnce();
      if (fatal) {
        lifecycle.refused();
        throw fatal;
      }
      if (lifecycle.stopped()) break;
      failures = registered ? 0 : failures + 1;
      const delay = reconnectDelay(
        failures,
        this.#options.initialDelayMs,
        this.#options.maxDelayMs,
      );
      this.#options.log('info', `disconnected; reconnecting in ${delay} ms`, { failures });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wakeSleep = undefined;
    }
  }

  /** Sends a frame if the connection is open and registered; otherwise drops it. */
  send(frame: WorkerFrame): void {
    if (this.#ws && this.#registered) this.#out?.push(frame);
  }

  /** Ends a reconnect wait early (shutdown). */
  wake(): void {
    this.#wakeSleep?.();
  }

  close(code: number, reason: string): void {
    this.#out?.flush();
    this.#ws?.close(code, reason);
  }

  #connectOnce(): Promise<{ registered: boolean; fatal?: Error }> {
    const apiKey = this.#options.connection.apiKey;
    const ws = new WebSocket(this.#options.url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      handshakeTimeout: 10_000,
    });
    const out = new FrameSender((text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    });
    this.#ws = ws;
    this.#out = out;
    let registered = false;
    let fatal: Error | undefined;
    return new Promise((resolve) => {
      ws.on('open', () => out.push(this.#options.register()));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          fatal = refusal(res.statusCode ?? 0, body);
          ws.terminate();
        });
      });
      ws.on('message', (data) => {
        for (const frame of this.#parse(data)) {
          if (frame.type !== 'registered') {
            this.#options.onFrame(frame);
            continue;
          }
          // Batches only once the server said it takes them (an older server does not).
          if (frame.batching === true) out.enable(frame.maxMessageBytes);
          registered = true;
          this.#registered = true;
          this.#options.onRegistered();
        }
      });
      ws.on('error', (err) => {
        this.#options.log('debug', 'connection error', { error: err.message });
      });
      ws.on('close', () => {
        if (this.#ws === ws) {
          this.#ws = undefined;
          this.#out = undefined;
          this.#registered = false;
        }
        resolve(fatal ? { registered, fatal } : { registered });
      });
    });
  }

  /** The frames of a server message (one, or a batch); malformed ones are logged and skipped. */
  #parse(data: WebSocket.RawData): ServerFrame[] {
    let items: (ServerFrame | AionError)[];
    try {
      items = parseServerMessage(frameText(data));
    } catch (err) {
      this.#options.log('warn', 'ignored a malformed server message', { error: String(err) });
      return [];
    }
    const frames: ServerFrame[] = [];
    for (const item of items) {
      if (item instanceof AionError) {
        this.#options.log('warn', 'ignored a malformed server frame', { error: String(item) });
      } else frames.push(item);
    }
    return frames;
  }
}

/** The error of a refused upgrade: 401/403 end the worker; other statuses are retried. */
function refusal(status: number, body: string): AionError | undefined {
  if (status !== 401 && status !== 403) return undefined;
  const parsed = parseErrorBody(body);
  return new AionError(
    parsed?.code ?? (status === 401 ? 'unauthenticated' : 'permission_denied'),
    `the server refused this worker (HTTP ${status}): ${parsed?.message ?? body}`,
  );
}

function parseErrorBody(body: string): { code: ErrorCode; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (
      typeof parsed.code === 'string' &&
      Object.hasOwn(ERROR_CODES, parsed.code) &&
      typeof parsed.message === 'string'
    ) {
      return { code: parsed.code as ErrorCode, message: parsed.message };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
