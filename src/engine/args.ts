// Encoding of call arguments at the engine's edge (JSON, size-checked) and the names of
// message and workflow references.
import {
  checkPayloadSize,
  JsonPayloadConverter,
  payloadSize,
  type Limits,
  type MessageRef,
  type Payload,
  type WorkflowTypeRef,
} from '../core/index.js';

const json = new JsonPayloadConverter();

/** Encodes call arguments as JSON payloads, each checked against the payload size limit. */
export function encodeArgs(args: readonly unknown[], limits: Limits, what: string): Payload[] {
  return args.map((a, i) => {
    const p = json.toPayload(a);
    checkPayloadSize(payloadSize(p), limits, `${what}[${i}]`);
    return p;
  });
}

/** Decodes a JSON payload (query results). */
export function decodeJson(p: Payload): unknown {
  return json.fromPayload(p);
}

/** The name of a signal, query or update reference. */
export function messageName(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

/** The type name of a workflow reference (validated where the start is built). */
export function typeNameOf(workflow: WorkflowTypeRef): string {
  return typeof workflow === 'function' ? workflow.name : workflow;
}
