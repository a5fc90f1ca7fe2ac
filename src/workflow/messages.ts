import { getState, trackHandler, type Handler, type RunState } from './internal/run-state.js';
import { reportHandlerError } from './internal/errors.js';
import { dispatchBufferedUpdates } from './internal/updates.js';

declare const argsBrand: unique symbol;
declare const retBrand: unique symbol;

export interface SignalDefinition<Args extends unknown[] = []> {
  readonly type: 'signal';
  readonly name: string;
  readonly [argsBrand]?: Args;
}

export interface QueryDefinition<Ret = unknown, Args extends unknown[] = []> {
  readonly type: 'query';
  readonly name: string;
  readonly [argsBrand]?: Args;
  readonly [retBrand]?: Ret;
}

export interface UpdateDefinition<Ret = unknown, Args extends unknown[] = []> {
  readonly type: 'update';
  readonly name: string;
  readonly [argsBrand]?: Args;
  readonly [retBrand]?: Ret;
}

/**
 * Defines an update: a recorded request that may change workflow state and returns a
 * result (or a failure) to the caller. A validator can reject it before anything is recorded.
 */
export function defineUpdate<Ret = unknown, Args extends unknown[] = []>(
  name: string,
): UpdateDefinition<Ret, Args> {
  checkName(name, 'update');
  return { type: 'update', name };
}

/** Defines a signal: a durable, recorded message sent to a running workflow. */
export function defineSignal<Args extends unknown[] = []>(name: string): SignalDefinition<Args> {
  checkName(name, 'signal');
  return { type: 'signal', name };
}

/** Defines a query: a read-only question answered from the workflow's current state. */
export function defineQuery<Ret = unknown, Args extends unknown[] = []>(
  name: string,
): QueryDefinition<Ret, Args> {
  checkName(name, 'query');
  return { type: 'query', name };
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new TypeError(`${what} name must be a non-empty string of at most 200 characters`);
  }
}

/**
 * Sets (or with `undefined` removes) the handler of a signal, query or update. Signals
 * received before a handler existed are delivered to it now, in arrival order; so are updates
 * delivered in this activation (those still without a handler when it ends are rejected).
 */
export function setHandler<Args extends unknown[]>(
  def: SignalDefinition<Args>,
  handler: ((...args: Args) => void | Promise<void>) | undefined,
): void;
export function setHandler<Ret, Args extends unknown[]>(
  def: QueryDefinition<Ret, Args>,
  handler: ((...args: Args) => Ret) | undefined,
): void;
export function setHandler<Ret, Args extends unknown[]>(
  def: UpdateDefinition<Ret, Args>,
  handler: ((...args: Args) => Ret | Promise<Ret>) | undefined,
  options?: { validator?: (...args: Args) => void },
): void;
export function setHandler(
  def:
    | SignalDefinition<unknown[]>
    | QueryDefinition<unknown, unknown[]>
    | UpdateDefinition<unknown, unknown[]>,
  handler: Handler | undefined,
  options?: { validator?: Handler },
): void {
  const s = getState();
  if (def.type === 'update') {
    if (!handler) {
      s.updateHandlers.delete(def.name);
      return;
    }
    s.updateHandlers.set(def.name, { handler, validator: options?.validator });
    dispatchBufferedUpdates(s);
    return;
  }
  if (def.type === 'query') {
    if (def.name.startsWith('__'))
      throw new TypeError(`query names starting with '__' are reserved (got ${def.name})`);
    if (handler) s.queryHandlers.set(def.name, handler);
    else s.queryHandlers.delete(def.name);
    return;
  }
  if (!handler) {
    s.signalHandlers.delete(def.name);
    return;
  }
  s.signalHandlers.set(def.name, handler);
  drainBuffered(s);
}

/**
 * Handles updates that have no handler of their own (receives the update name first). Such
 * updates are accepted without validation.
 */
export function setDefaultUpdateHandler(
  handler: ((name: string, ...args: unknown[]) => unknown) | undefined,
): void {
  const s = getState();
  s.defaultUpdateHandler = handler;
  if (handler) dispatchBufferedUpdates(s);
}

/**
 * True when no signal or update handler is still running (their promises all settled). Wait
 * for it before the workflow returns or continues as new, so no handler is cut short:
 * `await condition(allHandlersFinished)`.
 */
export function allHandlersFinished(): boolean {
  return getState().runningHandlers === 0;
}

/** Handles signals that have no specific handler (receives the signal name first). */
export function setDefaultSignalHandler(
  handler: ((name: string, ...args: unknown[]) => void | Promise<void>) | undefined,
): void {
  const s = getState();
  s.defaultSignalHandler = handler;
  drainBuffered(s);
}

function drainBuffered(s: RunState): void {
  for (let i = 0; i < s.bufferedSignals.length;) {
    const signal = s.bufferedSignals[i]!;
    if (s.signalHandlers.has(signal.name) || s.defaultSignalHandler) {
      s.bufferedSignals.splice(i, 1);
      invokeSignal(s, signal.name, signal.args);
    } else {
      i++;
    }
  }
}

/** Delivers a signal to its handler, or buffers it until one is set. */
export function deliverSignal(s: RunState, name: string, args: unknown[]): void {
  if (s.signalHandlers.has(name) || s.defaultSignalHandler) invokeSignal(s, name, args);
  else s.bufferedSignals.push({ name, args });
}

function invokeSignal(s: RunState, name: string, args: unknown[]): void {
  const handler = s.signalHandlers.get(name);
  try {
    const result = handler ? handler(...args) : s.defaultSignalHandler!(name, ...args);
    if (
      result instanceof Promise ||
      (typeof result === 'object' && result !== null && 'then' in result)
    ) {
      trackHandler(s, Promise.resolve(result)).then(undefined, (err: unknown) =>
        reportHandlerError(s, err),
      );
    }
  } catch (err) {
    reportHandlerError(s, err);
  }
}
