// The fault torture harness, for `npm run torture` (cli.ts) and the fault tests (test/faults).
export { STORE_KINDS, type StoreKind } from './database.js';
export { PG_FAULTS, type Fault, type FaultTarget } from './faults.js';
export { checkInvariants, type InvariantName, type Violation } from './invariants.js';
export {
  killSchedule,
  reproduceCommand,
  runKillTorture,
  type KillStep,
  type KillTortureOptions,
} from './kills.js';
export { rotation, runPgFaults, type PgFaultOptions } from './pg-faults.js';
export { summarize, trialLine, type Summary } from './report.js';
export { KILL_SUBJECTS, SUBJECT_KINDS, type SubjectKind } from './subjects.js';
export type { TrialReport } from './trial.js';
export { DEFAULT_PLAN, type WorkloadPlan } from './workload.js';
