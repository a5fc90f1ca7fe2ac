/**
 * The remote worker protocol: JSON frames over the WebSocket `GET /api/v1/worker`, each with
 * a `type`. Shared by the server (which validates every incoming frame here) and the
 * `aion/worker` SDK. Light: imports only core. See docs/workers.md.
 */
import { AionError, isFailure, type Failure, type Payload } from '../core/index.js';

export const WORKER_PROTOCOL_PATH = '/api/v1/worker';

const MAX_NAME = 1000;
const MAX_TYPES = 1000;
const MAX_CONCURRENT = 100_000;

// ── worker → server ─────────────────────────────────────────────────────────────────────

/** First frame of a connection: what this worker serves. Answered by `registered`. */
export interface RegisterFrame {
  readonly type: 'register';
  /** Default `'default'`. */
  readonly namespace?: string;
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  /** Shown in listings and failure messages. Default: assigned by the server. */
  readonly identity?: string;
  /** Attempts this worker runs at once (the server never sends more). */
  readonly maxConcurrent: number;
  /**
   * `'encoded'`: task arguments, heartbeat details, results and failure details travel as
   * payloads encoded with the payload codecs worker and server share (the server refuses this
   * when it has none). Default: plain JSON values. See docs/data-protection.md.
   */
  readonly payloads?: 'encoded';
  /**
   * The worker accepts batches: WebSocket messages carrying a JSON array of frames. The server
   * sends them only when it answered `registered` with `batching: true`. See batch.ts.
   */
  readonly batching?: boolean;
}

/** Liveness of a running attempt, with progress details; answered by `heartbeat_ack`. */
export interface HeartbeatFrame {
  readonly type: 'heartbeat';
  readonly taskToken: string;
  readonly details?: unknown;
}

/** How an attempt ended; answered by `ack` once the outcome is committed. */
export type ResultFrame =
  | {
      readonly type: 'result';
      readonly taskToken: string;
      readonly status: 'completed';
      readonly value?: unknown;
    }
  | {
      readonly type: 'result';
      readonly taskToken: string;
      readonly status: 'failed';
      /** `failure.retryable` says whether the retry policy may run another attempt. */
      readonly failure: Failure;
    }
  | {
      readonly type: 'result';
      readonly taskToken: string;
      readonly status: 'cancelled';
      readonly failure?: Failure;
    };

/** The worker is shutting down: send it no more tasks (in-flight ones still report). */
export interface WorkerDrainFrame {
  readonly type: 'drain';
}

export type WorkerFrame = RegisterFrame | HeartbeatFrame | ResultFrame | WorkerDrainFrame;

// ── server → worker ─────────────────────────────────────────────────────────────────────

export interface RegisteredFrame {
  readonly type: 'registered';
  readonly workerId: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly identity: string;
  /**
   * The server accepts batches too (only ever `true` when the worker registered with
   * `batching: true`): from now on either side may send a JSON array of frames per message.
   */
  readonly batching?: boolean;
  /** With `batching`: the largest WebSocket message the server takes, in bytes. */
  readonly maxMessageBytes?: number;
}

/**
 * One attempt to run. `args` (and `heartbeatDetails`) are plain JSON values, or encoded
 * payloads when the worker registered with `payloads: 'encoded'`.
 */
export interface TaskFrame {
  readonly type: 'task';
  /** Identifies this attempt in `heartbeat` and `result` (also usable for async completion). */
  readonly taskToken: string;
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly activityId: string;
  readonly activityType: string;
  readonly taskQueue: string;
  readonly attempt: number;
  readonly args: readonly unknown[];
  readonly scheduledTime: number;
  readonly startedTime: number;
  readonly startToCloseTimeoutMs?: number;
  readonly scheduleToCloseTimeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** Last heartbeat details of the previous attempt. */
  readonly heartbeatDetails?: unknown;
  /** Headers recorded with ActivityScheduled (absent when none). */
  readonly headers?: Readonly<Record<string, Payload>>;
}

export interface HeartbeatAckFrame {
  readonly type: 'heartbeat_ack';
  readonly taskToken: string;
  /** True when the attempt should stop: cancelled, timed out, or no longer known. */
  readonly cancelRequested: boolean;
}

/** The result of `taskToken` is durable; the worker may forget it. */
export interface AckFrame {
  readonly type: 'ack';
  readonly taskToken: string;
  /** `accepted`, `duplicate` (reported before) or `stale` (a later attempt owns the activity; ignored). */
  readonly status: 'accepted' | 'duplicate' | 'stale';
}

/** Stop the attempt: its AbortSignal fires in the worker. */
export interface CancelFrame {
  readonly type: 'cancel';
  readonly taskToken: string;
  readonly reason: string;
}

/** The server is draining: take no new tasks, finish and report in-flight ones. */
export interface ServerDrainFrame {
  readonly type: 'drain';
  readonly reason: string;
}

/** A frame was refused; `code` is from the error registry (docs/errors.md). */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  /** The `taskToken` of the refused frame, when it had one. */
  readonly taskToken?: string;
}

export type ServerFrame =
  | RegisteredFrame
  | TaskFrame
  | HeartbeatAckFrame
  | AckFrame
  | CancelFrame
  | ServerDrainFrame
  | ErrorFrame;

// ── validation ─────────────────────────────────────────────────────────────────────────

function bad(message: string): never {
  throw new AionError('invalid_argument', message);
}

function name(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) {
    bad(`${field} must be a non-empty string of at most ${MAX_NAME} characters`);
  }
  return value;
}

function token(frame: Record<string, unknown>): string {
  return name(frame.taskToken, 'taskToken', true)!;
}

/**
 * Parses and validates a worker → server frame. Throws `AionError('invalid_argument')`
 * naming what is wrong.
 */
export function parseWorkerFrame(text: string): WorkerFrame {
  return validateWorkerFrame(parseJson(text));
}

/** The JSON of a worker message; `invalid_argument` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return bad(
      'frame is not valid JSON; send one JSON object (or, once batching is agreed, an array of them) per WebSocket message',
    );
  }
}

/** Validates one parsed worker → server frame (a message, or one element of a batch). */
export function validateWorkerFrame(raw: unknown): WorkerFrame {
  if (Array.isArray(raw)) bad('a frame must be a JSON object with a "type"; batches do not nest');
  if (typeof raw !== 'object' || raw === null) {
    bad('frame must be a JSON object with a "type"');
  }
  const f = raw as Record<string, unknown>;
  switch (f.type) {
    case 'register': {
      const namespace = name(f.namespace, 'namespace', false);
      const taskQueue = name(f.taskQueue, 'taskQueue', true)!;
      const identity = name(f.identity, 'identity', false);
      const types = f.activityTypes;
      if (!Array.isArray(types) || types.length === 0 || types.length > MAX_TYPES) {
        bad(`activityTypes must be a non-empty array of at most ${MAX_TYPES} names`);
      }
      for (const t of types) name(t, 'activityTypes[]', true);
      const max = f.maxConcurrent;
      if (
        typeof max !== 'number' ||
        !Number.isSafeInteger(max) ||
        max < 1 ||
        max > MAX_CONCURRENT
      ) {
        bad(`maxConcurrent must be an integer from 1 to ${MAX_CONCURRENT}`);
      }
      if (f.payloads !== undefined && f.payloads !== 'encoded') {
        bad('payloads must be "encoded" when given');
      }
      if (f.batching !== undefined && typeof f.batching !== 'boolean') {
        bad('batching must be a boolean when given');
      }
      return {
        type: 'register',
        taskQueue,
        activityTypes: [...new Set(types as string[])],
        maxConcurrent: max,
        ...(f.payloads === 'encoded' ? { payloads: 'encoded' as const } : {}),
        ...(f.batching === true ? { batching: true } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
        ...(identity !== undefined ? { identity } : {}),
      };
    }
    case 'heartbeat':
      return { type: 'heartbeat', taskToken: token(f), details: f.details };
    case 'result': {
      const taskToken = token(f);
      switch (f.status) {
        case 'completed':
          return { type: 'result', taskToken, status: 'completed', value: f.value };
        case 'failed':
          if (!isFailure(f.failure)) {
            bad('a failed result needs failure: { type, message, retryable: boolean }');
          }
          return { type: 'result', taskToken, status: 'failed', failure: f.failure };
        case 'cancelled':
          if (f.failure !== undefined && !isFailure(f.failure)) {
            bad('failure must be { type, message, retryable: boolean }');
          }
          return {
            type: 'result',
            taskToken,
            status: 'cancelled',
            ...(f.failure !== undefined ? { failure: f.failure } : {}),
          };
        default:
          return bad('result status must be "completed", "failed" or "cancelled"');
      }
    }
    case 'drain':
      return { type: 'drain' };
    default:
      return bad(
        `unknown frame type ${JSON.stringify(f.type)}; expected register, heartbeat, result or drain`,
      );
  }
}

/** The text of a WebSocket message (`ws` hands out Buffers, ArrayBuffers or fragments). */
export function frameText(data: Buffer | ArrayBuffer | readonly Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Parses a server → worker frame (the SDK trusts the server's shapes). */
export function parseServerFrame(text: string): ServerFrame {
  return validateServerFrame(JSON.parse(text) as unknown);
}

/** Checks one parsed server → worker frame (a message, or one element of a batch). */
export function validateServerFrame(raw: unknown): ServerFrame {
  if (
    Array.isArray(raw) ||
    typeof raw !== 'object' ||
    raw === null ||
    typeof (raw as { type?: unknown }).type !== 'string'
  ) {
    throw new AionError('invalid_argument', 'server frame must be a JSON object with a "type"');
  }
  return raw as ServerFrame;
}
