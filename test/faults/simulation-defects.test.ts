/**
 * The simulator catches known-wrong engine behaviour: each injected defect (src/core/defects.ts)
 * switched on alone makes a seed fail within the CI seed budget, and the failing seed's
 * command reproduces it exactly.
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS, type Defect } from '../../src/core/index.js';
import { runSeed, runSeeds, type SeedReport } from '../../sim/index.js';

const BUDGET = Number(process.env.SIM_SEEDS ?? 400);

/** What each defect breaks, as the checker words it. */
const SIGNATURE: Record<Defect, RegExp> = {
  'ack-before-commit': /lost-ack|unfinished/,
  // A stale commit applied on top of a newer one: the history no longer reads back in order.
  'skip-seq-check': /claims seq|history-shape/,
  'redispatch-completed-activity': /activity-reexecuted/,
  'drop-buffered-signal': /lost-ack|unfinished/,
  'lose-outbox-after-crash': /unfinished|lost-ack/,
};

describe.each(DEFECTS)('defect %s', (defect) => {
  it('fails a seed within the budget, with a command that reproduces it', async () => {
    // Stale commits reach the store only as late writes of a crashed engine.
    const lateWrites = defect === 'skip-seq-check';
    // The first seed that fails the way the defect breaks things (late writes alone can fail
    // a seed otherwise: see docs/testing.md).
    const caught = (r: SeedReport): boolean =>
      r.verdict.violations.some((v) => SIGNATURE[defect].test(`${v.invariant}: ${v.detail}`));
    let failing: { report: SeedReport; line: Record<string, unknown> } | undefined;
    await runSeeds({
      from: 1,
      count: BUDGET,
      defects: [defect],
      lateWrites,
      stopWhen: caught,
      onSeed: (report, line) => {
        if (caught(report)) failing = { report, line };
      },
    });
    expect(failing, `${defect} went unnoticed over ${BUDGET} seeds`).toBeDefined();
    const { report, line } = failing!;
    expect(line.reproduce).toBe(
      `npm run sim -- --seed ${report.seed}${lateWrites ? ' --late-writes' : ''} --defect ${defect}`,
    );
    const again = await runSeed(report.seed, { defects: [defect], lateWrites });
    expect(again.hash).toBe(report.hash);
    expect(again.verdict.violations).toEqual(report.verdict.violations);
  }, 600_000);
});
