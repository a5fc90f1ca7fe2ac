import { setState, STACKS_PER_ACTIVATION, type RunState } from './run-state.js';

/** The answer to the built-in `__stack_trace` query: what the run waits on, and where. */
export function stackTrace(s: RunState): string {
  setState(s);
  const lines: string[] = [];
  let unlocated = 0;
  const describe = (description: string, holder: { stack?: string }): void => {
    const stack = holder.stack;
    lines.push(`waiting on ${description}`);
    if (!stack) unlocated++;
    else
      lines.push(
        ...stack
          .split('\n')
          .slice(1, 6)
          .map((l) => `  ${l.trim()}`),
      );
  };
  for (const op of s.activities.values()) describe(op.describe(), op.stack);
  for (const op of s.timers.values()) describe(op.describe(), op.stack);
  for (const w of s.conditions) describe(w.op.describe(), w.op.stack);
  if (unlocated > 0)
    lines.push(
      `${unlocated} operation(s) without a stack: an activation records where its first ${STACKS_PER_ACTIVATION} operations started`,
    );
  if (s.bufferedSignals.length > 0)
    lines.push(`${s.bufferedSignals.length} signal(s) buffered without a handler`);
  return lines.length > 0
    ? lines.join('\n')
    : s.closed
      ? 'workflow has completed'
      : 'workflow is not waiting on anything';
}
