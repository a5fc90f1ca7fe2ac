import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { ActivityFunction, ActivityInboundCallsInterceptor } from '../activity/internal.js';
import type { WorkflowClientInterceptor } from '../core/index.js';
import type { Clock, IdSource } from '../clock/index.js';
import type { Limits, PayloadCodec, PayloadConverter } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { RunLimits } from './commands/index.js';
import type { Metrics } from './metrics.js';
import type { TaskQueueOptions } from './remote-activities/index.js';
import type { EngineLogger } from './scheduler/index.js';
import type { InjectedSinks } from './sinks.js';

/**
 * Limits of an engine: payload size and history length (also enforced by the store, as hard
 * caps) and the per-run limits the engine checks on each workflow task.
 *
 * - `maxPayloadBytes` — one payload, UTF-8 bytes. Default 2 MiB.
 * - `maxHistoryLength` — events in one run's history. Default 51,200. The workflow's own
 *   events may use all but the last 20, which are kept for its end and operator controls.
 * - `maxHistoryBytes` — approximate bytes of one run's history. Default 50 MiB.
 * - `maxPendingActivities`, `maxPendingChildren`, `maxPendingSignals` (signals and
 *   cancellations sent to other workflows, not yet delivered) — per run. Default 2,000 each.
 * - `maxCommandsPerTask` — commands one workflow task may issue. Default 10,000.
 */
export type EngineLimits = Limits & RunLimits;

/** The limits the store enforces, out of the engine's (for the store the engine opens). */
export function storeLimitsOf(limits: Partial<EngineLimits> = {}): Partial<Limits> {
  return {
    ...(limits.maxPayloadBytes !== undefined ? { maxPayloadBytes: limits.maxPayloadBytes } : {}),
    ...(limits.maxHistoryLength !== undefined ? { maxHistoryLength: limits.maxHistoryLength } : {}),
  };
}

/** Options of {@link createEngine}. Every field is optional; defaults are listed per field. */
export interface EngineOptions {
  /** The store. Default: SQLite at `<dataDir>/aion.db`. */
  readonly store?: Store;
  /** Directory of the default SQLite store. Default `./.aion`. */
  readonly dataDir?: string;
  /**
   * Workflow module (or a folder with `index.ts`) to build and deploy at startup. Each start
   * of the engine re-routes its workflow types to what this path builds now (development
   * behaviour); running workflows stay on the version they started on.
   */
  readonly workflowsPath?: string;
  /** Activity implementations run in this process. */
  readonly activities?: Readonly<Record<string, ActivityFunction>>;
  /** Task queue that new workflows use and that this process serves. Default `'default'`. */
  readonly taskQueue?: string;
  /** Namespace of this engine's workflows. Default `'default'`. */
  readonly namespace?: string;
  /** Activity attempts running at once in this process. Default 200. */
  readonly maxConcurrentActivities?: number;
  /**
   * Dispatch limits per task queue for remote workers: `maxConcurrent` attempts of the queue
   * running at once over all its workers, `maxPerSecond` dispatches per second. Default: no
   * queue limit (each worker's own `maxConcurrent` still applies).
   *
   * @example
   * createEngine({ taskQueues: { payments: { maxConcurrent: 10, maxPerSecond: 50 } } })
   */
  readonly taskQueues?: Readonly<Record<string, TaskQueueOptions>>;
  /** Runs kept in memory; idle ones beyond this are evicted and rebuilt by replay. Default 10,000. */
  readonly maxResidentRuns?: number;
  /** Longest a workflow may run synchronously in one activation. Default 2,000 ms. */
  readonly deadlockTimeoutMs?: number;
  /**
   * Heap cap of the workflow thread in MiB (V8 `maxOldGenerationSizeMb`). Workflow code may
   * keep up to 40% of it alive (checked after each activation); the rest is headroom for
   * garbage and growth spikes. A run whose code goes past it costs a thread restart and is
   * retried alone, then parked as stuck with `resource_exhausted`; the engine and the other
   * runs carry on. Default: 256 MiB + 128 KiB per resident run (`maxResidentRuns`), 1,506 MiB
   * for the default 10,000.
   *
   * @example
   * createEngine({ maxResidentRuns: 50_000, workflowHeapLimitMb: 4096 })
   */
  readonly workflowHeapLimitMb?: number;
  /** Source of time. Default: the wall clock. */
  readonly clock?: Clock;
  /**
   * Source of fresh ids (run ids, generated workflow ids, update ids, the default identity).
   * Default: random UUIDs. Tests and simulations may inject a seeded one (`SeededIds`).
   */
  readonly ids?: IdSource;
  /**
   * How the engine waits in host time where engine time does not apply (polling for a
   * continue-as-new successor being started, the shutdown grace period). Default: Node
   * timers. A simulation may inject its own scheduler.
   */
  readonly delay?: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  /**
   * Source of the jitter of store retries and poll backoff, in [0, 1). Default `Math.random`.
   * A simulation injects a seeded one so the same seed retries at the same times.
   */
  readonly random?: () => number;
  /**
   * Internal, for the deterministic simulator only: `'inline'` runs workflow code in its
   * node:vm sandbox on the calling thread, with the workflow thread's request handler, so
   * its replies arrive in a deterministic order. There is no deadlock watchdog and no heap
   * cap there: a workflow that never returns hangs the engine. Default `'thread'`.
   *
   * @internal
   */
  readonly workflowRuntime?: 'thread' | 'inline';
  /**
   * How long a client call (start, signal, update, query, describe, list, terminate…) keeps
   * retrying while the store is unavailable before it fails with the retryable
   * `store_unavailable`. Background work is not bounded by it: it waits for the store as long
   * as it takes. Default 5,000 ms.
   */
  readonly storeRetryDeadlineMs?: number;
  /** Metrics sink. Default: no-op. */
  readonly metrics?: Metrics;
  /** Engine log sink. Default: warnings and errors as JSON lines on stderr. */
  readonly logger?: EngineLogger;
  /** Where workflow `log`/`console` lines go. Default: the engine logger at their level. */
  readonly workflowLogger?: (line: {
    workflowId: string;
    runId: string;
    level: string;
    message: string;
    at: number;
  }) => void;
  /**
   * Payload, history and per-run limits; every field has a default (see {@link EngineLimits}).
   * A run reaching its history limits ends `TERMINATED`, reason `history_too_large`; a task
   * breaking a per-run limit fails (`WorkflowTaskFailed`, cause `limit`) and is retried, then
   * parked. See docs/operations.md, "History and per-run limits".
   *
   * @example
   * createEngine({ limits: { maxHistoryLength: 10_000, maxPendingActivities: 500 } })
   */
  readonly limits?: Partial<EngineLimits>;
  /**
   * Host functions receiving the calls workflow code makes through `proxySinks`, by sink and
   * function name (the shape of `@temporalio/worker`'s `sinks`). Each call is delivered after
   * the activation that made it, in call order, with the caller's `workflowInfo()` first; a
   * call made again while a run replays is delivered only to functions with
   * `callDuringReplay: true`. A function that throws (or rejects) is logged and does not fail
   * the workflow. Calls to a sink the engine was not given are dropped with a warning, except
   * `defaultWorkerLogger`, whose calls go to the workflow log. Default: none.
   *
   * @example
   * createEngine({ sinks: { metrics: { count: { fn: (info, name: string) => inc(name, info.workflowType) } } } })
   */
  readonly sinks?: InjectedSinks;
  /** Converter for values at the host edges (activities, client). Default JSON. */
  readonly payloadConverter?: PayloadConverter;
  /**
   * Codecs (compression, encryption) applied to every payload the engine stores: arguments,
   * results, signals, updates, queries' inputs, memo, failure details, heartbeat details.
   * They encode on the way into the store and decode on the way out, so workflow code,
   * activities and callers see plain values while history holds encoded bytes. Encoding runs
   * in list order, decoding in reverse. Default none. See docs/data-protection.md.
   *
   * @example
   * createEngine({ payloadCodecs: [new CompressionCodec(), new EncryptionCodec({ keys })] })
   */
  readonly payloadCodecs?: readonly PayloadCodec[];
  /**
   * Also encode failure messages and stack traces with `payloadCodecs`: stored failures then
   * read "Encoded failure", and the real message and stack travel in an encoded payload
   * (`encodedAttributes`), restored whenever the engine reads them back. Default false:
   * operators can read why a run failed straight from the store.
   */
  readonly encodeFailureAttributes?: boolean;
  /**
   * Supervision of task crashes: restarts by replay with backoff, at most `maxRestarts`
   * (default 5) within `withinMs` (default 10 minutes); then the run is parked as stuck —
   * or failed, for the workflow types listed in `failTypes` (default none).
   */
  readonly supervision?: {
    readonly maxRestarts?: number;
    readonly withinMs?: number;
    readonly failTypes?: readonly string[];
  };
  /**
   * When a run is told its history nears its limits: past `fraction` (default 0.8) of the
   * events the workflow may use (`limits.maxHistoryLength` − 20) or of `limits.maxHistoryBytes`,
   * `workflowInfo().continueAsNewSuggested` turns true, and the engine logs a warning and
   * counts it in `aion_history_limit_warnings_total` (once per run).
   * `historyBytes` is the former name of `limits.maxHistoryBytes` (used when that is not set).
   */
  readonly continueAsNew?: {
    readonly fraction?: number;
    /** @deprecated Use `limits.maxHistoryBytes`. */
    readonly historyBytes?: number;
  };
  /** How often closed runs past their namespace's retention are deleted. Default 60 s. */
  readonly retentionIntervalMs?: number;
  /** Keep the Node process alive until `shutdown()` (timers may be months away). Default true. */
  readonly keepAlive?: boolean;
  /** Name of this engine process in leases and history. Default `engine-<uuid>`. */
  readonly identity?: string;
  /**
   * On a PostgreSQL store: how long the engine's shard leases last without renewal (they are
   * renewed every third of it). Another engine can take over a killed one after this; an
   * engine paused longer loses its leases and writes nothing more. Default 5 000 ms, at
   * least 100.
   */
  readonly leaseTtlMs?: number;
  /**
   * On a PostgreSQL store: join the cluster of engines sharing it instead of owning it alone.
   * The store's shards are spread over the live cluster nodes; each node drives the runs of
   * its shards, and calls for other runs go to their owner through the store. A node that
   * dies is replaced within the lease ttl. Every engine on the store must be in cluster mode.
   * See docs/cluster.md. Default false.
   */
  readonly cluster?: boolean;
  /**
   * Interceptors: `client` around this engine's client calls (start, signal, update, query),
   * `activity` around each attempt of its in-process activities. Workflow interceptors are
   * workflow code: the workflow module exports them (see `aion/workflow`). Default: none.
   *
   * @example
   * createEngine({ interceptors: { client: [otel.client], activity: [otel.activity] } })
   */
  readonly interceptors?: {
    readonly client?: readonly WorkflowClientInterceptor[];
    readonly activity?: readonly ActivityInboundCallsInterceptor[];
  };
}

/** The active span's trace id, for log correlation (none without an SDK or a span). */
function traceFields(): { trace_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId } : {};
}

export const defaultLogger: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', message, ...traceFields(), ...fields })}\n`,
    ),
  error: (message, fields) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'error', message, ...traceFields(), ...fields })}\n`,
    ),
};
