// Injected defects, for testing the tests: each switch turns on one known-wrong behaviour in
// the engine or the memory store, so the deterministic simulator can show that it catches
// it. Internal; never set outside tests. With no switch on, a check costs one size test.

export const DEFECTS = [
  /** Acknowledge a start or signal when it is planned, before its commit. */
  'ack-before-commit',
  /** The memory store applies a commit whatever its expected seq. */
  'skip-seq-check',
  /** Run an activity again after its completion was handed to the run. */
  'redispatch-completed-activity',
  /** Drop a signal that waited in a run's inbox behind another arrival (acknowledged). */
  'drop-buffered-signal',
  /** Delete the outbox rows found at startup instead of dispatching them. */
  'lose-outbox-after-crash',
] as const;

export type Defect = (typeof DEFECTS)[number];

const active = new Set<Defect>();

/** True when `defect` is switched on. */
export function defectOn(defect: Defect): boolean {
  return active.size !== 0 && active.has(defect);
}

/** Switches exactly `defects` on (none: every defect off). */
export function setDefects(defects: readonly Defect[]): void {
  active.clear();
  for (const d of defects) active.add(d);
}
