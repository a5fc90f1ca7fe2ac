// The payloads of a remote worker's connection when it registered with `payloads: 'encoded'`:
// task arguments and heartbeat details leave encoded with the engine's codecs, results,
// heartbeat details and failure details arrive encoded and are decoded before the engine
// sees them. See docs/data-protection.md and ADR 0011.
import { AionError, isPayload, type Payload, type PayloadCodec } from '../core/index.js';
import { decodePayloads, decodeValue, encodeValue, mapTaskValues } from '../codecs/index.js';
import type { RemoteOutcome, RemoteTask } from '../engine/index.js';

export class WorkerPayloads {
  readonly #codecs: readonly PayloadCodec[];

  constructor(codecs: readonly PayloadCodec[]) {
    if (codecs.length === 0) {
      throw new AionError(
        'invalid_argument',
        'this server has no payload codecs, so it cannot exchange encoded payloads: configure the same keys on the server (AION_ENCRYPTION_KEYS) or start the worker without payloadCodecs',
        { field: 'payloads' },
      );
    }
    this.#codecs = codecs;
  }

  /** The task with its arguments and heartbeat details encoded. */
  taskOut(task: RemoteTask): RemoteTask {
    return mapTaskValues(task, (v) => this.#encode(v));
  }

  /** Heartbeat details as a value; `invalid_argument` or `codec_error` when they are not a payload this server decodes. */
  detailsIn(details: unknown): unknown {
    return details === undefined ? undefined : this.#decode(details, 'heartbeat details');
  }

  /**
   * The outcome with its result and failure details decoded. A result that does not decode
   * fails the attempt (retryable: another worker, or this one with the right keys, may run it).
   */
  outcomeIn(outcome: RemoteOutcome): RemoteOutcome {
    switch (outcome.type) {
      case 'completed':
        try {
          return { type: 'completed', result: this.#decode(outcome.result, 'the result') };
        } catch (err) {
          return {
            type: 'failed',
            failure: {
              type: 'PayloadDecodeError',
              message: `the worker's result could not be decoded: ${(err as Error).message}`,
              retryable: true,
            },
          };
        }
      case 'failed':
        return { type: 'failed', failure: decodePayloads(outcome.failure, this.#codecs) };
      case 'cancelled':
        return outcome.failure
          ? { type: 'cancelled', failure: decodePayloads(outcome.failure, this.#codecs) }
          : outcome;
    }
  }

  #encode(value: unknown): Payload {
    return encodeValue(value, this.#codecs);
  }

  #decode(value: unknown, what: string): unknown {
    if (!isPayload(value)) {
      throw new AionError(
        'invalid_argument',
        `${what} must be an encoded payload ({ encoding, data }): this worker registered with payloads "encoded"`,
        { field: what },
      );
    }
    return decodeValue(value, this.#codecs);
  }
}
