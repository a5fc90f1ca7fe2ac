// A worker's payload codecs on its connection: with codecs, it registers with
// `payloads: 'encoded'`, decodes the task arguments and heartbeat details it receives and
// encodes the heartbeat details, results and failure details it sends, so values cross the
// connection encoded. Without codecs, frames pass unchanged (plain JSON values).
import {
  AionError,
  isAionError,
  isPayload,
  type Payload,
  type PayloadCodec,
} from '../core/index.js';
import { decodeValue, encodePayloads, encodeValue, mapTaskValues } from '../codecs/index.js';
import type { ResultFrame, TaskFrame, WorkerFrame } from '../protocol/index.js';

export class WireCodec {
  readonly #codecs: readonly PayloadCodec[];

  constructor(codecs: readonly PayloadCodec[] | undefined) {
    this.#codecs = codecs ?? [];
  }

  /** Whether values cross the connection encoded. */
  get encoded(): boolean {
    return this.#codecs.length > 0;
  }

  /** The task with its arguments and heartbeat details as values; throws `codec_error`. */
  taskIn(task: TaskFrame): TaskFrame {
    if (!this.encoded) return task;
    return mapTaskValues(task, (v) => this.#decode(v));
  }

  /** The frame as it is sent: its values encoded. */
  frameOut(frame: WorkerFrame): WorkerFrame {
    if (!this.encoded) return frame;
    if (frame.type === 'heartbeat') return { ...frame, details: this.#encode(frame.details) };
    if (frame.type === 'result') return this.#resultOut(frame);
    return frame;
  }

  #resultOut(frame: ResultFrame): ResultFrame {
    if (frame.status !== 'completed') {
      return frame.failure
        ? { ...frame, failure: encodePayloads(frame.failure, this.#codecs) }
        : frame;
    }
    try {
      return { ...frame, value: this.#encode(frame.value) };
    } catch (err) {
      if (!isAionError(err)) throw err;
      return {
        type: 'result',
        taskToken: frame.taskToken,
        status: 'failed',
        failure: {
          type: 'PayloadEncodeError',
          message: `the activity result cannot be encoded: ${err.message}`,
          retryable: false,
        },
      };
    }
  }

  #encode(value: unknown): Payload {
    return encodeValue(value, this.#codecs);
  }

  #decode(value: unknown): unknown {
    if (!isPayload(value)) {
      throw new AionError(
        'codec_error',
        'the server sent a plain value where an encoded payload was expected',
        {},
      );
    }
    return decodeValue(value, this.#codecs);
  }
}
