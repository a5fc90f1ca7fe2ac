/**
 * Reconnect delay after `failures` consecutive failed connections: exponential from
 * `initialMs`, capped at `maxMs`, with "equal jitter" (between half and all of the step) so
 * a fleet of workers does not reconnect in lockstep after a server restart.
 */
export function reconnectDelay(
  failures: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
