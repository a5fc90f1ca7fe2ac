import type {
  ActivityFunction,
  ActivityInboundCallsInterceptor,
  LogSink,
} from '../activity/internal.js';
import type { PayloadCodec } from '../core/index.js';

/** Options of {@link Worker.create}. */
export interface WorkerOptions {
  /** Where the Aion server is. */
  readonly connection: {
    /** Server URL: `http://host:port` (or `https://`, `ws://`, `wss://`). */
    readonly address: string;
    /** API key with the `worker` role (sent as `Authorization: Bearer`). Omit for an auth-off dev server. */
    readonly apiKey?: string;
  };
  /** Namespace of the task queue. Default `'default'`. */
  readonly namespace?: string;
  /** The task queue this worker serves. */
  readonly taskQueue: string;
  /** Activity implementations by type name (the same functions as in-process activities). */
  readonly activities: Readonly<Record<string, ActivityFunction>>;
  /** Attempts run at once; the server never sends more. Default 100. */
  readonly maxConcurrentActivities?: number;
  /** Name in listings and failure messages. Default `<hostname>:<pid>`. */
  readonly identity?: string;
  /** Reconnect backoff: exponential from `initialDelayMs` (default 100) to `maxDelayMs` (default 10,000), jittered. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /**
   * How long {@link Worker.shutdown} lets in-flight attempts run before cancelling them
   * (they are then reported as retryable `WorkerShutdown` failures). Default 30,000 ms.
   */
  readonly shutdownGraceMs?: number;
  /** How long shutdown waits for the server to acknowledge the last results. Default 10,000 ms. */
  readonly ackTimeoutMs?: number;
  /** Where activity and worker log lines go. Default: JSON lines on the console. */
  readonly logger?: LogSink;
  /**
   * Run around each activity attempt (the first outermost), e.g.
   * `OpenTelemetryInterceptors().activity`. Default: none.
   */
  readonly interceptors?: readonly ActivityInboundCallsInterceptor[];
  /**
   * Payload codecs — the same ones, with the same keys, as the server's. With codecs, task
   * arguments, heartbeat details, results and failure details cross the connection encoded
   * (the server refuses the registration when it has no codecs). Default none: plain JSON
   * values. See docs/data-protection.md.
   *
   * @example
   * payloadCodecs: [new EncryptionCodec({ keys: parseEncryptionKeys(process.env.AION_ENCRYPTION_KEYS!) })]
   */
  readonly payloadCodecs?: readonly PayloadCodec[];
}

/** Where a worker is in its life. */
export type WorkerState = 'idle' | 'connecting' | 'running' | 'draining' | 'stopped';
