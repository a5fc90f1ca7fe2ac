/**
 * Sinks: one-way calls from workflow code to functions of the host (metrics, audit logs,
 * exporters). A call is buffered during the activation and delivered after the activation
 * completes, in call order, to the function the engine was given under the same names
 * (`createEngine({ sinks })`). Calls made while the run replays recorded history are not
 * delivered again unless that host function asks for it (`callDuringReplay: true`).
 *
 * @example
 * interface AuditSinks extends Sinks { audit: { record(event: string): void } }
 * const { audit } = proxySinks<AuditSinks>();
 * export async function order(): Promise<void> { audit.record('order placed'); }
 */
import type { SinkCall } from '../core/index.js';
import { workflowInfo } from './info.js';
import { encode, getState, type RunState } from './internal/run-state.js';

/** A function workflow code calls through `proxySinks`; it never returns a value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches `@temporalio/workflow`: sink arguments are any cloneable values
export type SinkFunction = (...args: any[]) => void;
/** A named group of sink functions. */
export type Sink = Record<string, SinkFunction>;
/** Every sink a workflow uses, by name. */
export type Sinks = Record<string, Sink>;

/** The workflow logger's functions (the `defaultWorkerLogger` sink). */
export type WorkflowLogger = {
  trace(message: string, attrs?: Record<string, unknown>): void;
  debug(message: string, attrs?: Record<string, unknown>): void;
  info(message: string, attrs?: Record<string, unknown>): void;
  warn(message: string, attrs?: Record<string, unknown>): void;
  error(message: string, attrs?: Record<string, unknown>): void;
};

/**
 * The logger sink of `@temporalio/workflow`. Without a host `defaultWorkerLogger` sink, its
 * calls go where workflow `log` lines go (the engine's `workflowLogger`), once per call.
 * Prefer `log` in new code.
 */
export interface LoggerSinks extends Sinks {
  defaultWorkerLogger: WorkflowLogger;
}

const buffers = new WeakMap<RunState, SinkCall[]>();

/** The sink calls the run made since the last call (for the activation's output). */
export function takeSinkCalls(s: RunState): SinkCall[] | undefined {
  const calls = buffers.get(s);
  if (calls === undefined) return undefined;
  buffers.delete(s);
  return calls;
}

function record(sink: string, fn: string, args: unknown[]): void {
  const s = getState();
  // Read-only callbacks (queries, update validators) change nothing, and deliver nothing.
  if (s.inQuery) return;
  const { unsafe: _unsafe, startTime, ...info } = workflowInfo();
  const call: SinkCall = {
    sink,
    fn,
    // Taken now, so later changes to the objects do not reach the host.
    args: args.map((a) => encode(s, a)),
    info: JSON.stringify({ ...info, startTime: startTime.getTime() }),
    replaying: s.replaying,
    at: s.now,
  };
  const calls = buffers.get(s);
  if (calls) calls.push(call);
  else buffers.set(s, [call]);
}

/**
 * A typed proxy of the sinks `T`: `proxySinks<T>().name.fn(...args)` records a call of host
 * function `fn` of sink `name`. Arguments are encoded with the workflow's payload converter
 * when the call is made. Calls from query handlers and update validators are ignored.
 */
export function proxySinks<T extends Sinks>(): T {
  return new Proxy({} as T, {
    get(_target, sinkName) {
      if (typeof sinkName !== 'string') return undefined;
      return new Proxy(
        {},
        {
          get(_t, fnName) {
            if (typeof fnName !== 'string') return undefined;
            return (...args: unknown[]): void => record(sinkName, fnName, args);
          },
        },
      );
    },
  });
}
