// The deterministic simulator, for `npm run sim` (cli.ts) and its tests: runs seeds and
// reports each failing one with the one command that reproduces it.
import type { Defect } from '../src/core/index.js';
import { runSeed, type SeedReport } from './run.js';

export { runSeed, simPackage, type SeedOptions, type SeedReport } from './run.js';
export { planOf, type SimPlan } from './plan.js';

/** The one command that reproduces `seed` exactly. */
export const reproduceCommand = (
  seed: number,
  defects: readonly Defect[] = [],
  lateWrites = false,
): string =>
  `npm run sim -- --seed ${seed}${lateWrites ? ' --late-writes' : ''}${defects.map((d) => ` --defect ${d}`).join('')}`;

export interface RunSeedsOptions {
  readonly from: number;
  readonly count: number;
  /** Called after each seed with its JSON line. */
  readonly onSeed?: (report: SeedReport, line: Record<string, unknown>) => void;
  /** Lines carry the seed's figures and fault counts too. */
  readonly verbose?: boolean;
  /** Injected defects switched on (the simulator must then fail). */
  readonly defects?: readonly Defect[];
  /** Writes on their way when their engine crashes land late (`--late-writes`). */
  readonly lateWrites?: boolean;
  /** Stop after the first seed this is true of. */
  readonly stopWhen?: (report: SeedReport) => boolean;
}

export interface Summary {
  readonly summary: true;
  readonly from: number;
  readonly seeds: number;
  readonly failed: number;
  readonly failedSeeds: number[];
  readonly crashes: number;
  readonly ms: number;
  readonly defects?: readonly Defect[];
}

/** The JSON line of one seed. */
export function seedLine(
  r: SeedReport,
  verbose = false,
  defects: readonly Defect[] = [],
  lateWrites = false,
): Record<string, unknown> {
  const ok = r.verdict.violations.length === 0;
  return {
    seed: r.seed,
    ok,
    hash: r.hash,
    engines: r.engines,
    ...(defects.length > 0 ? { defects } : {}),
    ...(ok
      ? {}
      : {
          violations: r.verdict.violations,
          reproduce: reproduceCommand(r.seed, defects, lateWrites),
        }),
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
    const defects = options.defects ?? [];
    const lateWrites = options.lateWrites ?? false;
    const report = await runSeed(seed, { defects, lateWrites });
    crashes += report.engines - 1;
    const failed = report.verdict.violations.length > 0;
    if (failed) failedSeeds.push(seed);
    options.onSeed?.(report, seedLine(report, options.verbose, defects, lateWrites));
    if (options.stopWhen?.(report)) break;
  }
  return {
    summary: true,
    from: options.from,
    seeds: options.count,
    failed: failedSeeds.length,
    failedSeeds,
    crashes,
    ms: Date.now() - started,
    ...(options.defects?.length ? { defects: options.defects } : {}),
  };
}
