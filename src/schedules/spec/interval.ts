import { parseDuration } from '../../core/index.js';
import { invalidSpec } from './invalid.js';
import type { IntervalSpec } from './types.js';

/** An interval spec in milliseconds. */
export interface CompiledInterval {
  readonly every: number;
  readonly offset: number;
}

export function compileInterval(spec: IntervalSpec, path: string): CompiledInterval {
  if (typeof spec !== 'object' || spec === null) {
    throw invalidSpec(path, 'an interval spec must be an object like { every: "10s" }');
  }
  const every = duration(spec.every, `${path}.every`);
  if (every <= 0)
    throw invalidSpec(`${path}.every`, `${JSON.stringify(spec.every)} must be longer than 0`);
  const offset = spec.offset === undefined ? 0 : duration(spec.offset, `${path}.offset`);
  if (offset >= every) {
    throw invalidSpec(
      `${path}.offset`,
      `${JSON.stringify(spec.offset)} must be shorter than every (${JSON.stringify(spec.every)})`,
    );
  }
  return { every, offset };
}

function duration(value: unknown, path: string): number {
  try {
    return parseDuration(value as number | string, path);
  } catch {
    throw invalidSpec(
      path,
      `${JSON.stringify(value)} is not a duration (milliseconds or a string like '10s')`,
    );
  }
}

/** The first fire strictly after `afterMs`. */
export function nextIntervalFire(interval: CompiledInterval, afterMs: number): number {
  const k = Math.floor((afterMs - interval.offset) / interval.every) + 1;
  return k * interval.every + interval.offset;
}
