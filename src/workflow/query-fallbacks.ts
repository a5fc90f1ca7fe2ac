// Queries a run answers without a handler of its own: the built-in stack traces under the
// names `@temporalio/workflow` gives them, and the default query handler.
import { getState, type Handler, type RunState } from './internal/run-state.js';
import { stackTrace } from './internal/stack-trace.js';
import { defineQuery } from './messages.js';

/** A location in workflow code, as `@temporalio/workflow`'s enhanced stack trace gives it. */
export interface FileLocation {
  readonly file_path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly function_name?: string;
}
export interface StackTrace {
  readonly locations: readonly FileLocation[];
}
/**
 * The answer to `__enhanced_stack_trace`: one stack per operation the run waits on. Aion does
 * not ship source text: `sources` is empty.
 */
export interface EnhancedStackTrace {
  readonly sdk: { readonly name: string; readonly version: string };
  readonly stacks: readonly StackTrace[];
  readonly sources: Readonly<Record<string, readonly { content: string; line_offset: number }[]>>;
}

/** The built-in query answering where the run waits (text). */
export const stackTraceQuery = defineQuery<string>('__stack_trace');
/** The same as {@link stackTraceQuery}, structured as `@temporalio/workflow` returns it. */
export const enhancedStackTraceQuery = defineQuery<EnhancedStackTrace>('__enhanced_stack_trace');

const defaults = new WeakMap<RunState, (name: string, ...args: unknown[]) => unknown>();

/**
 * Answers queries that have no handler of their own (receives the query name first), or with
 * `undefined` stops doing so. Like every query handler it must be synchronous and read-only.
 *
 * @example setDefaultQueryHandler((name) => ({ unknown: name, state }));
 */
export function setDefaultQueryHandler(
  handler: ((name: string, ...args: unknown[]) => unknown) | undefined,
): void {
  const s = getState();
  if (handler === undefined) defaults.delete(s);
  else if (typeof handler === 'function') defaults.set(s, handler);
  else throw new TypeError(`a default query handler must be a function or undefined`);
}

const FRAME = /^at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

function location(line: string): FileLocation {
  const m = FRAME.exec(line.trim());
  if (!m) return { function_name: line.trim() };
  return {
    ...(m[1] ? { function_name: m[1] } : {}),
    file_path: m[2]!,
    line: Number(m[3]),
    column: Number(m[4]),
  };
}

/** Turns the text stack trace into Temporal's structure: a stack per waited-on operation. */
export function enhancedStackTrace(text: string): EnhancedStackTrace {
  const stacks: FileLocation[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('waiting on ')) stacks.push([{ function_name: line }]);
    else if (line.startsWith('  ') && stacks.length > 0)
      stacks[stacks.length - 1]!.push(location(line));
  }
  return {
    sdk: { name: 'aion', version: '' },
    stacks: stacks.map((locations) => ({ locations })),
    sources: {},
  };
}

/** The handler for a query name the run has no handler of its own for, if any. */
export function fallbackQueryHandler(s: RunState, name: string): Handler | undefined {
  if (name === enhancedStackTraceQuery.name) return () => enhancedStackTrace(stackTrace(s));
  const fallback = defaults.get(s);
  return fallback ? (...args) => fallback(name, ...args) : undefined;
}
