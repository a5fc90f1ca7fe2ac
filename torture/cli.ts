// Fault torture of the engine (`npm run torture -- --pg-faults N` or `-- --kills N`): prints
// one JSON line per trial and a summary line on standard output; exits 1 if any trial broke
// an invariant.
//   --pg-faults N          N trials of PostgreSQL faults (terminate, restart -m immediate, 10 s down)
//   --kills N              N trials of kill -9 (3 to 6 per trial, at seeded random moments)
//   --subject S            pg faults: embedded | server | both (default both);
//                          kills: embedded | server | remote-worker | all (default all)
//   --fault F              pg faults: pg-terminate | pg-restart-immediate | pg-down-10s | all
//   --store S              kills: sqlite (default, a file per trial) | postgres (private cluster)
//   --seed N               kills: seed of the first trial (trial i uses N + i); default random
//   --on-ack               kills: every kill right after an acknowledgement (default: half)
//   --defect NAME          kills: switch an injected engine defect on in the embedded engine
//   --workflows N          workflows per trial (default 12)
//   --keep                 keep each trial's database and files
import { parseArgs } from 'node:util';
import { DEFECTS, type Defect } from '../src/core/index.js';
import { STORE_KINDS, type StoreKind } from './database.js';
import { PG_FAULTS } from './faults.js';
import { runKillTorture } from './kills.js';
import { runPgFaults } from './pg-faults.js';
import { summarize, trialLine } from './report.js';
import { KILL_SUBJECTS, SUBJECT_KINDS, type SubjectKind } from './subjects.js';
import type { TrialReport } from './trial.js';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run torture -- --pg-faults N [--subject embedded|server|both] [--fault NAME|all] [--workflows N] [--keep]\n` +
      `       npm run torture -- --kills N [--subject embedded|server|remote-worker|all] [--store sqlite|postgres] [--seed N] [--on-ack] [--defect NAME] [--workflows N] [--keep]\n`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    'pg-faults': { type: 'string' },
    kills: { type: 'string' },
    subject: { type: 'string' },
    fault: { type: 'string', default: 'all' },
    store: { type: 'string', default: 'sqlite' },
    seed: { type: 'string' },
    'on-ack': { type: 'boolean', default: false },
    defect: { type: 'string', multiple: true, default: [] },
    workflows: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function count(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} needs a number of trials (≥ 1)`);
  return n;
}

function subjectsOf(known: readonly SubjectKind[], all: string): readonly SubjectKind[] {
  const s = values.subject ?? all;
  if (s === all) return known;
  if (known.includes(s as SubjectKind)) return [s as SubjectKind];
  return usage(`unknown --subject ${s}; known: ${known.join(', ')}, ${all}`);
}

const workflows = values.workflows === undefined ? undefined : Number(values.workflows);
if (workflows !== undefined && !(Number.isInteger(workflows) && workflows > 0))
  usage('--workflows needs a positive number');
const plan = workflows ? { plan: { workflows } } : {};
const onTrial = (r: TrialReport): void => void process.stdout.write(`${trialLine(r)}\n`);

async function pgFaults(): Promise<TrialReport[]> {
  const faults =
    values.fault === 'all' ? PG_FAULTS : PG_FAULTS.filter((f) => f.name === values.fault);
  if (faults.length === 0)
    usage(`unknown --fault ${values.fault}; known: ${PG_FAULTS.map((f) => f.name).join(', ')}`);
  return runPgFaults({
    trials: count('--pg-faults', values['pg-faults']),
    subjects: subjectsOf(SUBJECT_KINDS, 'both'),
    faults,
    keep: values.keep,
    ...plan,
    onTrial,
  });
}

async function kills(): Promise<TrialReport[]> {
  const store = values.store as StoreKind;
  if (!STORE_KINDS.includes(store))
    usage(`unknown --store ${values.store}; known: sqlite, postgres`);
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) usage('--seed needs an integer');
  for (const d of values.defect)
    if (!DEFECTS.includes(d as Defect))
      usage(`unknown --defect ${d}; known: ${DEFECTS.join(', ')}`);
  const trials = count('--kills', values.kills);
  process.stderr.write(`kill torture: seed ${seed} (the same kill schedules: --seed ${seed})\n`);
  return runKillTorture({
    trials,
    subjects: subjectsOf(KILL_SUBJECTS, 'all'),
    store,
    seed,
    onAck: values['on-ack'],
    defects: values.defect as Defect[],
    keep: values.keep,
    ...plan,
    onTrial,
  });
}

if ((values['pg-faults'] === undefined) === (values.kills === undefined))
  usage('give one of --pg-faults N or --kills N');
const reports = values.kills === undefined ? await pgFaults() : await kills();
const summary = summarize(reports);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.stderr.write(
  `torture: ${summary.passed}/${summary.trials} trials passed, ${summary.kills} kills, ${summary.deaths} unexpected process deaths` +
    (summary.failed > 0 ? `; violations: ${JSON.stringify(summary.violations)}\n` : '\n'),
);
for (const r of reports)
  if (!r.ok && r.reproduce) process.stderr.write(`reproduce trial ${r.trial}: ${r.reproduce}\n`);
process.exit(summary.failed > 0 ? 1 : 0);
