// Fault torture of the engine (`npm run torture -- --pg-faults N`): prints one JSON line per
// trial and a summary line on standard output; exits 1 if any trial broke an invariant.
//   --pg-faults N          N trials of PostgreSQL faults (terminate, restart -m immediate, 10 s down)
//   --subject S            embedded | server | both (default both)
//   --fault F              pg-terminate | pg-restart-immediate | pg-down-10s | all (default all)
//   --workflows N          workflows per trial (default 12)
//   --keep                 keep each trial's database and files
import { parseArgs } from 'node:util';
import { PG_FAULTS } from './faults.js';
import { runPgFaults } from './pg-faults.js';
import { summarize, trialLine } from './report.js';
import { SUBJECT_KINDS, type SubjectKind } from './subjects.js';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run torture -- --pg-faults N [--subject embedded|server|both] [--fault NAME|all] [--workflows N] [--keep]\n`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    'pg-faults': { type: 'string' },
    subject: { type: 'string', default: 'both' },
    fault: { type: 'string', default: 'all' },
    workflows: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const trials = Number(values['pg-faults']);
if (!Number.isInteger(trials) || trials < 1) usage('--pg-faults needs a number of trials (≥ 1)');
const subjects: readonly SubjectKind[] =
  values.subject === 'both'
    ? SUBJECT_KINDS
    : SUBJECT_KINDS.includes(values.subject as SubjectKind)
      ? [values.subject as SubjectKind]
      : usage(`unknown --subject ${values.subject}`);
const faults =
  values.fault === 'all' ? PG_FAULTS : PG_FAULTS.filter((f) => f.name === values.fault);
if (faults.length === 0)
  usage(`unknown --fault ${values.fault}; known: ${PG_FAULTS.map((f) => f.name).join(', ')}`);
const workflows = values.workflows === undefined ? undefined : Number(values.workflows);
if (workflows !== undefined && !(Number.isInteger(workflows) && workflows > 0))
  usage('--workflows needs a positive number');

const reports = await runPgFaults({
  trials,
  subjects,
  faults,
  keep: values.keep,
  ...(workflows ? { plan: { workflows } } : {}),
  onTrial: (r) => process.stdout.write(`${trialLine(r)}\n`),
});
const summary = summarize(reports);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.stderr.write(
  `torture: ${summary.passed}/${summary.trials} trials passed, ${summary.deaths} process deaths` +
    (summary.failed > 0 ? `; violations: ${JSON.stringify(summary.violations)}\n` : '\n'),
);
process.exit(summary.failed > 0 ? 1 : 0);
