/**
 * kill -9 under load, the trials of `npm run torture -- --kills 3 --seed 7 --workflows 8`: the embedded
 * engine's process, the `aion server` process and remote activity workers (from dist:
 * `npm run build` first) killed 3 times each at seeded moments, on SQLite, and restarted
 * (seed 7: three short schedules, to keep the suite's time down; KILL_SEED picks another).
 * The workload must finish with no death besides the kills, no lost acknowledgement, no
 * activity run again after its completion was recorded, and histories that replay.
 */
import { describe, expect, it } from 'vitest';
import { runKillTorture, trialLine, type TrialReport } from '../../torture/index.js';

const SEED = Number(process.env.KILL_SEED ?? 7);

describe('kill -9 torture (SQLite)', () => {
  it('3 trials rotating embedded, server and remote workers: nothing acknowledged lost', async () => {
    const reports: TrialReport[] = [];
    await runKillTorture({
      trials: 3,
      seed: SEED,
      plan: { workflows: 8 },
      onTrial: (r) => {
        reports.push(r);
        process.stdout.write(`${trialLine(r)}\n`);
      },
    });
    expect(reports.map((r) => r.subject)).toEqual(['embedded', 'server', 'remote-worker']);
    expect(
      reports.flatMap((r) =>
        r.violations.map((v) => `${r.reproduce} → ${v.invariant}: ${v.detail}`),
      ),
    ).toEqual([]);
    for (const r of reports) {
      expect(r.figures.results, r.reproduce).toBe(8);
      expect(r.faultDetails.killed, r.reproduce).toBeGreaterThan(0);
    }
  });
});
