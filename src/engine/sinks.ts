// Host side of workflow sinks: the functions given as `createEngine({ sinks })` receive the
// calls workflow code made through `proxySinks`, after the activation that made them.
import type { LogLine, PayloadConverter, RunKey, SinkCall } from '../core/index.js';
import type { Sink, SinkFunction, Sinks, WorkflowInfo } from '../workflow/index.js';
import type { EngineLogger } from './scheduler/index.js';

/** A host function receiving a sink's calls: the caller's `workflowInfo()`, then its arguments. */
export interface InjectedSinkFunction<F extends SinkFunction> {
  fn(info: WorkflowInfo, ...args: Parameters<F>): void | Promise<void>;
  /**
   * Also receive the calls workflow code makes again while a run is rebuilt by replay (after
   * a restart or an eviction). Default false: each call is delivered when first made. A call
   * can still arrive twice when the activation that made it is retried (its task crashed, or
   * its commit did not reach the store).
   */
  callDuringReplay?: boolean;
}

export type InjectedSink<T extends Sink> = { [P in keyof T]: InjectedSinkFunction<T[P]> };

/** The `sinks` engine option: host functions by sink name and function name. */
export type InjectedSinks<T extends Sinks = Sinks> = { [P in keyof T]: InjectedSink<T[P]> };

const LOGGER_SINK = 'defaultWorkerLogger';

/** Hands sink calls to their host functions, in call order; a throwing function is logged. */
export class SinkDelivery {
  readonly #sinks: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly #converter: PayloadConverter;
  readonly #logger: EngineLogger;
  readonly #workflowLog: (run: RunKey, line: LogLine) => void;
  readonly #unknown = new Set<string>();

  constructor(
    sinks: InjectedSinks | undefined,
    converter: PayloadConverter,
    logger: EngineLogger,
    workflowLog: (run: RunKey, line: LogLine) => void,
  ) {
    this.#sinks = sinks ?? {};
    this.#converter = converter;
    this.#logger = logger;
    this.#workflowLog = workflowLog;
  }

  deliver(run: RunKey, calls: readonly SinkCall[]): void {
    for (const call of calls) this.#deliverOne(run, call);
  }

  #deliverOne(run: RunKey, call: SinkCall): void {
    const target = this.#sinks[call.sink]?.[call.fn] as
      InjectedSinkFunction<SinkFunction> | undefined;
    if (target === undefined) {
      if (call.sink === LOGGER_SINK) this.#toWorkflowLog(run, call);
      else this.#unregistered(run, call);
      return;
    }
    if (call.replaying && target.callDuringReplay !== true) return;
    const fail = (error: unknown): void =>
      this.#logger.error('sink function threw', {
        workflowId: run.workflowId,
        runId: run.runId,
        sink: call.sink,
        fn: call.fn,
        error: error instanceof Error ? error.message : String(error),
      });
    try {
      const args = call.args.map((p) => this.#converter.fromPayload(p));
      const result = target.fn(infoOf(call), ...args);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  /** Without a host logger sink, its calls are workflow log lines (written once, as `log`'s). */
  #toWorkflowLog(run: RunKey, call: SinkCall): void {
    if (call.replaying) return;
    const args = call.args.map((p) => this.#converter.fromPayload(p));
    const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === call.fn);
    const text = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    const attrs = args[1] === undefined ? '' : ` ${JSON.stringify(args[1])}`;
    this.#workflowLog(run, { level: level ?? 'debug', message: `${text}${attrs}`, at: call.at });
  }

  #unregistered(run: RunKey, call: SinkCall): void {
    const name = `${call.sink}.${call.fn}`;
    if (this.#unknown.has(name)) return;
    this.#unknown.add(name);
    this.#logger.warn('workflow called a sink function the engine was not given', {
      workflowId: run.workflowId,
      runId: run.runId,
      sink: name,
    });
  }
}

/** The caller's `workflowInfo()` at the time of the call, rebuilt from its JSON snapshot. */
function infoOf(call: SinkCall): WorkflowInfo {
  const raw = JSON.parse(call.info) as Record<string, unknown> & {
    startTime: number;
    searchAttributes?: Record<string, unknown[]>;
  };
  return {
    ...raw,
    startTime: new Date(raw.startTime),
    searchAttributes: raw.searchAttributes ?? {},
    unsafe: {
      isReplaying: call.replaying,
      isReplayingHistoryEvents: call.replaying,
      now: () => Date.now(),
    },
  } as unknown as WorkflowInfo;
}
