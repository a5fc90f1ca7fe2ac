import { getState, hasState, type RunState } from './internal/run-state.js';
import type { LogLine } from '../core/index.js';

function format(message: unknown, attrs: unknown[]): string {
  const parts = [typeof message === 'string' ? message : safeJson(message)];
  for (const a of attrs) parts.push(typeof a === 'string' ? a : safeJson(a));
  return parts.join(' ');
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function writeLog(
  s: RunState,
  level: LogLine['level'],
  message: unknown,
  attrs: unknown[],
): void {
  if (s.replaying || s.inQuery) return; // replay-aware: a line is written once, when first executed
  const line = { level, message: format(message, attrs), at: s.now };
  s.logs.push(line);
  s.logTap?.(line.level, line.message, line.at);
}

function logger(level: LogLine['level']) {
  return (message: unknown, ...attrs: unknown[]): void => {
    if (hasState()) writeLog(getState(), level, message, attrs);
  };
}

/** Replay-aware workflow logger: lines are not repeated while history replays. */
export const log = {
  debug: logger('debug'),
  info: logger('info'),
  warn: logger('warn'),
  error: logger('error'),
};
