/**
 * The kill torture catches known-wrong engine behaviour: with the injected defect
 * `ack-before-commit` (src/core/defects.ts) switched on in the embedded engine's process, a
 * start or signal is acknowledged before its commit, and a kill right after the
 * acknowledgement loses it; the checker reports it as `lost-ack`. Trials run until one
 * fails: a kill lands between the acknowledgement and the commit only now and then (the
 * harness sees the acknowledgement a moment after it is written), about one trial in two.
 */
import { describe, expect, it } from 'vitest';
import { runKillTorture, trialLine, type TrialReport } from '../../torture/index.js';

const MAX_TRIALS = 8;

// Opt-in (AION_TORTURE_DEFECTS=1): up to eight trials of about 40 s each; CI relies on the
// simulator's defect test (test/faults/simulation-defects.test.ts), which covers every defect.
describe.skipIf(process.env.AION_TORTURE_DEFECTS !== '1')(
  'kill -9 torture with an injected defect',
  () => {
    it('ack-before-commit: a kill right after an acknowledgement loses it (lost-ack)', async () => {
      const caught = (r: TrialReport): boolean =>
        r.violations.some((v) => v.invariant === 'lost-ack');
      const reports: TrialReport[] = [];
      await runKillTorture({
        trials: MAX_TRIALS,
        subjects: ['embedded'],
        seed: Number(process.env.KILL_SEED ?? 1),
        onAck: true,
        defects: ['ack-before-commit'],
        // A lost start leaves the workload retrying a signal until this deadline.
        plan: { deadlineMs: 15_000 },
        stopWhen: caught,
        onTrial: (r) => {
          reports.push(r);
          process.stdout.write(`${trialLine(r)}\n`);
        },
      });
      const failing = reports.find(caught);
      expect(
        failing,
        `ack-before-commit went unnoticed over ${reports.length} trials`,
      ).toBeDefined();
      expect(failing!.reproduce).toBe(
        `npm run torture -- --kills 1 --subject embedded --seed ${failing!.seed} --on-ack --defect ack-before-commit`,
      );
    });
  },
);
