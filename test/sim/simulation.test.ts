/**
 * The deterministic simulator (`npm run sim`): a seed replays exactly, and seeds that once
 * found engine bugs stay green. The CI-sized run of many seeds is test/faults/simulation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { reproduceCommand, runSeed, seedLine } from '../../sim/index.js';

describe('deterministic simulation', () => {
  it('gives the same histories, acknowledgements and effects for the same seed', async () => {
    // Seed 3 crashes its engine twice and injects store faults.
    const first = await runSeed(3);
    const second = await runSeed(3);
    expect(first.engines).toBeGreaterThan(1);
    expect(second.hash).toBe(first.hash);
    expect(second.histories).toEqual(first.histories);
    const other = await runSeed(5);
    expect(other.hash).not.toBe(first.hash);
  }, 120_000);

  it('prints one command that reproduces a seed', async () => {
    const report = await runSeed(7);
    expect(reproduceCommand(7)).toBe('npm run sim -- --seed 7');
    expect(seedLine(report)).toMatchObject({ seed: 7, ok: true, hash: report.hash });
  }, 60_000);

  // Seeds 4 and 25: an engine restarted without a deploy (routes only in the store) recorded a
  // recovered parent's child start with no version, so the child failed `unknown_type` and the
  // parent with it. Recovery now loads the routes of every namespace with open runs.
  it.each([4, 25])(
    'seed %i: a child started after a restart finds its route',
    async (seed) => {
      const report = await runSeed(seed);
      expect(report.engines).toBeGreaterThan(1);
      expect(report.verdict.violations).toEqual([]);
    },
    60_000,
  );

  // Seeds 929, 1149 and 1653: a user timer fired from memory and, once more, from a poll's
  // claim; the duplicate was dropped and its timer row deleted at once, before the first
  // firing was committed. The engine crashed in between and the timer was lost: the run never
  // woke up. The duplicate's row now goes with the commit of the firing that is recorded.
  it.each([929, 1149, 1653])(
    'seed %i: a timer fired twice before a crash still fires',
    async (seed) => {
      const report = await runSeed(seed);
      expect(report.engines).toBeGreaterThan(1);
      expect(report.verdict.violations).toEqual([]);
    },
    60_000,
  );

  // Seed 5338: an update was recorded, then its engine crashed before acknowledging it and the
  // run completed; the retried call (same update id) was refused `workflow_closed` forever.
  // A retried update now gets its recorded outcome also from a closed run.
  it('seed 5338: a retried update gets its outcome after the run closed', async () => {
    const report = await runSeed(5338);
    expect(report.engines).toBeGreaterThan(1);
    expect(report.verdict.violations).toEqual([]);
  }, 60_000);

  // Seed 1416: the same for a signal: recorded, its engine crashed before acknowledging it, the
  // run completed, and the retried call (same request id) was refused `workflow_closed`.
  it('seed 1416: a retried signal is acknowledged after the run closed', async () => {
    const report = await runSeed(1416);
    expect(report.engines).toBeGreaterThan(1);
    expect(report.verdict.violations).toEqual([]);
  }, 60_000);

  // Seeds 2197 (a timer), 2344 and 2621 (an activity): a cancellation delivered in the same
  // activation as the timer's firing or the activity's outcome made the workflow cancel what
  // had just ended; the command was refused ("cancel of unknown timer 1") and the run parked.
  // Such a cancel now records nothing, and replay skips it alike.
  it.each([2197, 2344, 2621])(
    'seed %i: a cancel that comes with the firing or the outcome records nothing',
    async (seed) => {
      const report = await runSeed(seed);
      expect(report.verdict.violations).toEqual([]);
    },
    60_000,
  );

  // With late writes (a dead engine's commit that the store applies after the next engine
  // started): seed 25, a child's completion whose outbox row landed after recovery read the
  // outbox, so its parent never heard of it; seed 88, a continue-as-new whose successor row did
  // the same, and a caller waiting for the result of a run that such a write closed. The
  // outbox is now swept periodically, a rebuild that finds its run closed tells the waiters,
  // and a caller waiting for a result also looks in the store now and then.
  it.each([25, 88])(
    'seed %i with late writes: a late-landing outbox row and close are picked up',
    async (seed) => {
      const report = await runSeed(seed, { lateWrites: true });
      expect(report.engines).toBeGreaterThan(1);
      expect(report.verdict.violations).toEqual([]);
    },
    60_000,
  );
});
