/**
 * Frame batching of the worker protocol: once both sides agreed (`register.batching`,
 * `registered.batching`), a WebSocket message may carry a JSON array of frames. Senders
 * coalesce the frames of one turn of the event loop into one message (bounded by count and
 * bytes); receivers validate each element exactly as a single frame. See docs/workers.md.
 */
import { AionError } from '../core/index.js';
import {
  parseJson,
  validateServerFrame,
  validateWorkerFrame,
  type ServerFrame,
  type WorkerFrame,
} from './worker.js';

/** Most frames in one batch (a longer array is refused as a whole). */
export const MAX_BATCH_FRAMES = 256;
/** Most bytes a sender puts in one batch (less when the peer's message limit is lower). */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** The elements of a message: the frames of a batch, or the message itself. */
function elements(raw: unknown): readonly unknown[] {
  if (!Array.isArray(raw)) return [raw];
  if (raw.length === 0) {
    throw new AionError('invalid_argument', 'a batch must hold at least one frame');
  }
  if (raw.length > MAX_BATCH_FRAMES) {
    throw new AionError(
      'invalid_argument',
      `a batch holds at most ${MAX_BATCH_FRAMES} frames (got ${raw.length}); send the rest in further messages`,
    );
  }
  return raw;
}

/**
 * The frames of a worker → server message, each validated as a single frame: a malformed
 * element is returned as its error, in place, without affecting the others. Throws
 * `invalid_argument` for a message refused as a whole (not JSON, an empty or too long batch).
 */
export function parseWorkerMessage(text: string): (WorkerFrame | AionError)[] {
  return elements(parseJson(text)).map((raw) => {
    try {
      return validateWorkerFrame(raw);
    } catch (err) {
      if (err instanceof AionError) return err;
      throw err;
    }
  });
}

/** The frames of a server → worker message, as {@link parseWorkerMessage} (the SDK side). */
export function parseServerMessage(text: string): (ServerFrame | AionError)[] {
  return elements(JSON.parse(text) as unknown).map((raw) => {
    try {
      return validateServerFrame(raw);
    } catch (err) {
      if (err instanceof AionError) return err;
      throw err;
    }
  });
}

/** Sends one WebSocket message holding `frames` frames. */
export type SendMessage = (text: string, frames: number) => void;

/**
 * The outgoing frames of one connection. Until {@link enable} each frame is sent at once as
 * its own message (the peer did not agree to batches). Then frames queue and are sent together
 * after the current turn of the event loop (`setImmediate`), in order; a full batch (count or
 * bytes) is sent at once. A batch of one is sent as a plain object. A single frame over the
 * byte bound is sent alone, as it would be without batching.
 */
export class FrameSender {
  readonly #send: SendMessage;
  #maxBytes = 0;
  #queue: string[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(send: SendMessage) {
    this.#send = send;
  }

  get batching(): boolean {
    return this.#maxBytes > 0;
  }

  /** The peer accepts batches of at most `maxBytes` (clamped to {@link MAX_BATCH_BYTES}). */
  enable(maxBytes: number = MAX_BATCH_BYTES): void {
    const peer = Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : MAX_BATCH_BYTES;
    this.#maxBytes = Math.min(MAX_BATCH_BYTES, peer);
  }

  push(frame: object): void {
    const text = JSON.stringify(frame);
    if (this.#maxBytes === 0) {
      this.#send(text, 1);
      return;
    }
    const bytes = Buffer.byteLength(text);
    const n = this.#queue.length;
    // The batch's size with this frame: its frames, the commas between them and the brackets.
    if (n > 0 && (n >= MAX_BATCH_FRAMES || this.#bytes + bytes + n + 2 > this.#maxBytes)) {
      this.flush();
    }
    this.#queue.push(text);
    this.#bytes += bytes;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onTurn);
    }
  }

  /** Sends the queued frames now (before a close, so they are not lost behind it). */
  flush(): void {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#bytes = 0;
    this.#send(queue.length === 1 ? queue[0]! : `[${queue.join(',')}]`, queue.length);
  }

  readonly #onTurn = (): void => {
    this.#scheduled = false;
    this.flush();
  };
}
