// The deterministic simulator, for `npm run sim` (cli.ts) and its tests: runs seeds and
// reports each failing one with the one command that reproduces it.
import { runSeed, type SeedReport } from './run.js';

export { runSeed, simPackage, type SeedReport } from './run.js';
export { planOf, type SimPlan } from './plan.js';

/** The one command that reproduces `seed` exactly. */
export const reproduceCommand = (seed: number): string => `npm run sim -- --seed ${seed}`;

export interface RunSeedsOptions {
  readonly from: number;
  readonly count: number;
  /** Called after each seed with its JSON line. */
  readonly onSeed?: (report: SeedReport, line: Record<string, unknown>) => void;
  /** Lines carry the seed's figures and fault counts too. */
  readonly verbose?: boolean;
}

export interface Summary {
  readonly summary: true;
  readonly from: number;
  readonly seeds: number;
  readonly failed: number;
  readonly failedSeeds: number[];
  readonly crashes: number;
  readonly ms: number;
}

/** The JSON line of one seed. */
export function seedLine(r: SeedReport, verbose = false): Record<string, unknown> {
  const ok = r.verdict.violations.length === 0;
  return {
    seed: r.seed,
    ok,
    hash: r.hash,
    engines: r.engines,
    ...(ok ? {} : { violations: r.verdict.violations, reproduce: reproduceCommand(r.seed) }),
    ...(verbose
      ? {
          steps: r.steps,
          virtualMs: r.virtualMs,
          workflows: r.plan.workflows.map((w) => w.kind),
          faults: r.faults,
          figures: r.verdict.figures,
          workload: r.workload,
        }
      : {}),
  };
}

/** Simulates `count` seeds from `from`, one after the other. */
export async function runSeeds(options: RunSeedsOptions): Promise<Summary> {
  const started = Date.now();
  const failedSeeds: number[] = [];
  let crashes = 0;
  for (let seed = options.from; seed < options.from + options.count; seed++) {
    const report = await runSeed(seed);
    crashes += report.engines - 1;
    if (report.verdict.violations.length > 0) failedSeeds.push(seed);
    options.onSeed?.(report, seedLine(report, options.verbose));
  }
  return {
    summary: true,
    from: options.from,
    seeds: options.count,
    failed: failedSeeds.length,
    failedSeeds,
    crashes,
    ms: Date.now() - started,
  };
}
