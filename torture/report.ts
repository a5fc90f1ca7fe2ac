// The torture run's output: one JSON line per trial, then one summary line.
import type { TrialReport } from './trial.js';

export interface Summary {
  readonly summary: true;
  readonly trials: number;
  readonly passed: number;
  readonly failed: number;
  /** Process deaths nobody caused (a kill on purpose is not one). */
  readonly deaths: number;
  /** Processes killed on purpose (kill torture). */
  readonly kills: number;
  /** The kill torture's seed of the first trial (trial i used seed + i). */
  readonly seed?: number;
  /** Violations by invariant, over every trial. */
  readonly violations: Readonly<Record<string, number>>;
  /** Longest wait, after a fault ended, for the workload to finish. */
  readonly maxAfterFaultToDoneMs: number | null;
}

export function summarize(reports: readonly TrialReport[]): Summary {
  const violations: Record<string, number> = {};
  for (const r of reports)
    for (const v of r.violations) violations[v.invariant] = (violations[v.invariant] ?? 0) + 1;
  const waits = reports.flatMap((r) =>
    r.timings.afterFaultToDoneMs === undefined ? [] : [r.timings.afterFaultToDoneMs],
  );
  return {
    summary: true,
    trials: reports.length,
    passed: reports.filter((r) => r.ok).length,
    failed: reports.filter((r) => !r.ok).length,
    deaths: reports.reduce((n, r) => n + (r.figures.deaths ?? 0), 0),
    kills: reports.reduce((n, r) => n + Number(r.faultDetails.killed ?? 0), 0),
    ...(reports[0]?.seed === undefined ? {} : { seed: reports[0].seed }),
    violations,
    maxAfterFaultToDoneMs: waits.length > 0 ? Math.max(...waits) : null,
  };
}

/** A trial as one JSON line (violation details cut to a readable length). */
export function trialLine(report: TrialReport): string {
  return JSON.stringify({
    ...report,
    violations: report.violations.map((v) => ({ ...v, detail: v.detail.slice(0, 800) })),
  });
}
