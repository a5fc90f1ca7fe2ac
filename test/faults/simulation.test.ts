/**
 * The deterministic simulator's CI run: SIM_SEEDS seeds (default 400) of the whole engine on
 * a virtual clock, with store faults and engine crashes, each checked by the shared invariant
 * checker. A failing seed is reproduced exactly by the command in the failure message.
 */
import { expect, it } from 'vitest';
import { runSeeds, seedLine } from '../../sim/index.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 400);
const FROM = Number(process.env.SIM_FROM ?? 1);

it(`holds every invariant over ${SEEDS} seeds`, async () => {
  const failures: Record<string, unknown>[] = [];
  const summary = await runSeeds({
    from: FROM,
    count: SEEDS,
    onSeed: (report) => {
      if (report.verdict.violations.length > 0) failures.push(seedLine(report));
    },
  });
  expect(failures).toEqual([]);
  // The run really crashed engines (a third of seeds or more restart at least once).
  expect(summary.crashes).toBeGreaterThan(SEEDS / 3);
}, 600_000);
