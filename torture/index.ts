// The fault torture harness, for `npm run torture` (cli.ts) and the fault tests (test/faults).
export {
  dumpStall,
  postgresDatabase,
  STORE_KINDS,
  type StoreKind,
  type TrialDatabase,
} from './database.js';
export { PG_FAULTS, type Fault, type FaultTarget } from './faults.js';
export {
  checkInvariants,
  type Evidence,
  type InvariantName,
  type Violation,
} from './invariants.js';
export { readLines, type AckLine, type EffectLine } from './journal.js';
export { TORTURE_WORKFLOWS, WORKER_CHILD } from './paths.js';
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
export { gatherEvidence, type TrialReport } from './trial.js';
export type { Death } from './supervisor.js';
export { DEFAULT_PLAN, runWorkload, workflowIds, type WorkloadPlan } from './workload.js';
