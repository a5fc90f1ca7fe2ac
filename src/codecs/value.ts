// One value through the codec chain as a JSON payload, and back: what both ends of a remote
// worker's connection do with task arguments, heartbeat details and results when the worker
// registered with `payloads: 'encoded'`.
import { JsonPayloadConverter, type Payload, type PayloadCodec } from '../core/index.js';
import { decodePayloads, encodePayloads } from './walk.js';

const json = new JsonPayloadConverter();

/** The value as a JSON payload, encoded by the codecs (applied in order). */
export function encodeValue(value: unknown, codecs: readonly PayloadCodec[]): Payload {
  return encodePayloads(json.toPayload(value), codecs);
}

/** The value a payload made by {@link encodeValue} carries; throws `codec_error`. */
export function decodeValue(payload: Payload, codecs: readonly PayloadCodec[]): unknown {
  return json.fromPayload(decodePayloads(payload, codecs));
}

/** The values a task carries (its arguments and heartbeat details), each mapped by `map`. */
export function mapTaskValues<T extends { args: readonly unknown[]; heartbeatDetails?: unknown }>(
  task: T,
  map: (value: unknown) => unknown,
): T {
  return {
    ...task,
    args: task.args.map(map),
    ...(task.heartbeatDetails !== undefined
      ? { heartbeatDetails: map(task.heartbeatDetails) }
      : {}),
  };
}
