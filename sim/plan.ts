// What one seed simulates: the workload (which workflows, how many messages), the store's
// fault rates and the engine crashes, all drawn from the seed. Everything random in a
// simulation comes from streams derived here, so a seed names one exact run.
import { seededRandom, type FaultRates } from '../src/testing/fault-store/index.js';
import type { CrashPoint } from './fence.js';

/** An independent stream of the seed: the same (seed, stream) always gives the same numbers. */
export function stream(seed: number, name: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return seededRandom((h ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

/** Integer in [min, max] from `r`. */
export const between = (r: () => number, min: number, max: number): number =>
  min + Math.floor(r() * (max - min + 1));

export type WorkflowPlan =
  | {
      readonly kind: 'messaged';
      readonly id: string;
      readonly signals: number;
      readonly updates: number;
      readonly sleepMs: number;
      readonly child: boolean;
      readonly activityMs: number;
      readonly startAt: number;
      readonly gapMs: number;
    }
  | {
      readonly kind: 'chained';
      readonly id: string;
      readonly runs: number;
      readonly startAt: number;
    }
  | {
      readonly kind: 'cancellable';
      readonly id: string;
      readonly sleepMs: number;
      readonly cancelAfterMs: number;
      readonly startAt: number;
    };

export interface SimPlan {
  readonly seed: number;
  readonly workflows: readonly WorkflowPlan[];
  readonly rates: {
    readonly commit: FaultRates;
    readonly read: FaultRates;
    readonly other: FaultRates;
  };
  /** One crash point per engine generation that crashes (store call index of that engine). */
  readonly crashes: readonly CrashPoint[];
  /** Runs kept resident: low values make activations rebuild runs by replay. */
  readonly maxResidentRuns: number;
  /**
   * Store calls on their way (slow) when their engine crashes still land, later, possibly
   * after the next engine started: writes of a dead owner that the store applies late.
   * Off unless asked for (`--late-writes`): the engine does not fence them (see ADR 0009).
   */
  readonly lateWrites: boolean;
}

function workflowPlan(r: () => number, i: number): WorkflowPlan {
  const id = `wf-${i}`;
  const startAt = between(r, 0, 3000);
  const pick = r();
  if (pick < 0.6)
    return {
      kind: 'messaged',
      id,
      signals: between(r, 0, 3),
      updates: between(r, 0, 2),
      sleepMs: between(r, 1, 5000),
      child: r() < 0.5,
      activityMs: between(r, 0, 500),
      startAt,
      gapMs: between(r, 0, 800),
    };
  if (pick < 0.8) return { kind: 'chained', id, runs: between(r, 1, 3), startAt };
  return {
    kind: 'cancellable',
    id,
    sleepMs: between(r, 10, 60_000),
    cancelAfterMs: between(r, 0, 2000),
    startAt,
  };
}

/** Fault rates of a seed: some seeds run clean, most fail a share of calls. */
function ratesOf(r: () => number, slowR: () => number): SimPlan['rates'] {
  const level = r() < 0.15 ? 0 : r() * 0.2;
  const torn = r() < 0.3 ? level / 10 : 0;
  // Slow commits: one in flight when its engine crashes lands after the next engine started.
  const slow: FaultRates = slowR() < 0.5 ? { latencyMs: [0, between(slowR, 1, 400)] } : {};
  return {
    commit: {
      before: level * r(),
      after: level * r(),
      torn,
      tornCalls: between(r, 1, 4),
      ...slow,
    },
    read: { before: (level / 2) * r(), after: (level / 2) * r() },
    other: { before: (level / 4) * r(), after: (level / 4) * r() },
  };
}

export function planOf(seed: number, lateWrites = false): SimPlan {
  const r = stream(seed, 'plan');
  const workflows = Array.from({ length: between(r, 2, 6) }, (_, i) => workflowPlan(r, i));
  const rates = ratesOf(r, stream(seed, 'slow-commits'));
  const crashes: CrashPoint[] = [];
  const crashCount = r() < 0.35 ? 0 : between(r, 1, 3);
  for (let i = 0; i < crashCount; i++)
    crashes.push({ call: between(r, 1, 150), applied: r() < 0.5 });
  const maxResidentRuns = r() < 0.3 ? 2 : 100;
  return { seed, workflows, rates, crashes, maxResidentRuns, lateWrites };
}
