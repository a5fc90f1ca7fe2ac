import { IANAZone } from 'luxon';
import { invalidSpec } from './invalid.js';
import { wallAsUtcMs, wallFromUtcMs, type WallTime } from './wall-time.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * An IANA time zone with the conversions schedules need. Local → instant follows the
 * schedule rule for transitions rather than luxon's default shift: a wall time in a
 * spring-forward gap maps to the first instant after the gap; a wall time that occurs twice
 * on fall-back maps to its first occurrence.
 */
export class ScheduleZone {
  readonly name: string;
  readonly #zone: IANAZone;

  constructor(name: string, field = 'spec.timezone') {
    if (typeof name !== 'string' || !IANAZone.isValidZone(name)) {
      throw invalidSpec(field, `unknown IANA time zone ${JSON.stringify(name)}`);
    }
    this.name = name;
    this.#zone = IANAZone.create(name);
  }

  /** Offset from UTC in minutes at an instant. */
  offsetAt(ms: number): number {
    return this.#zone.offset(ms);
  }

  /** The wall time at an instant (seconds floored). */
  wallAt(ms: number): WallTime {
    return wallFromUtcMs(ms + this.offsetAt(ms) * MINUTE_MS);
  }

  /** The instant a wall time fires at, by the gap / overlap rule above. */
  instantOf(wall: WallTime): number {
    const local = wallAsUtcMs(wall);
    // Real zones change offset at most once within a day either side of a wall time.
    const before = this.offsetAt(local - DAY_MS);
    const after = this.offsetAt(local + DAY_MS);
    const valid = [before, after]
      .map((offset) => ({ offset, at: local - offset * MINUTE_MS }))
      .filter((c) => this.offsetAt(c.at) === c.offset)
      .map((c) => c.at);
    if (valid.length > 0) return Math.min(...valid);
    return this.#transitionBetween(local - after * MINUTE_MS, local - before * MINUTE_MS, before);
  }

  /** The first instant in (low, high] whose offset is no longer `offsetBefore`. */
  #transitionBetween(low: number, high: number, offsetBefore: number): number {
    let lo = low;
    let hi = high;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid) === offsetBefore) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
