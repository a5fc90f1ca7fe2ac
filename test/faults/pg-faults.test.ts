/**
 * PostgreSQL faults under load, the trials of `npm run torture -- --pg-faults 4`: connections
 * terminated, the database restarted with `-m immediate`, the database down for 10 s, against
 * the embedded engine and against `aion server` (from dist: `npm run build` first). After
 * each fault the workload must finish with no process death, no lost acknowledgement, no
 * activity run again after its completion was recorded, and histories that replay.
 */
import { describe, expect, it } from 'vitest';
import { canRunPrivatePostgres } from '../support/private-postgres.js';
import { runPgFaults, trialLine, type TrialReport } from '../../torture/index.js';

describe.skipIf(!canRunPrivatePostgres())('PostgreSQL faults (private cluster)', () => {
  it('4 trials rotating faults and subjects: no deaths, nothing acknowledged lost, nothing re-run', async () => {
    const reports: TrialReport[] = [];
    await runPgFaults({
      trials: 4,
      onTrial: (r) => {
        reports.push(r);
        process.stdout.write(`${trialLine(r)}\n`);
      },
    });
    expect(reports.map((r) => `${r.subject}/${r.fault}`)).toEqual([
      'embedded/pg-terminate',
      'server/pg-restart-immediate',
      'embedded/pg-down-10s',
      'server/pg-terminate',
    ]);
    expect(
      reports.flatMap((r) =>
        r.violations.map((v) => `trial ${r.trial} ${v.invariant}: ${v.detail}`),
      ),
    ).toEqual([]);
    for (const r of reports) expect(r.figures.results, `trial ${r.trial}`).toBe(12);
  });
});
