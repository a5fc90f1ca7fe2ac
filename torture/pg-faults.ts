// The PostgreSQL fault suite (`npm run torture -- --pg-faults N`): one private cluster for the
// whole run, a fresh database per trial, trials rotating through the faults and the subjects
// (embedded engine, server) so that six trials cover every pair.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canRunPrivatePostgres, startPrivatePostgres } from '../test/support/private-postgres.js';
import { PG_FAULTS, type Fault } from './faults.js';
import { AION_BIN, ROOT } from './paths.js';
import { SUBJECT_KINDS, type SubjectKind } from './subjects.js';
import { postgresDatabase } from './database.js';
import { runTrial, type TrialReport } from './trial.js';
import { DEFAULT_PLAN, type WorkloadPlan } from './workload.js';

export interface PgFaultOptions {
  readonly trials: number;
  /** Subjects to rotate through. Default both. */
  readonly subjects?: readonly SubjectKind[];
  /** Faults to rotate through. Default {@link PG_FAULTS}. */
  readonly faults?: readonly Fault[];
  readonly plan?: Partial<WorkloadPlan>;
  /** Keep each trial's database and files (their paths are printed). Default false. */
  readonly keep?: boolean;
  /** Called with each trial's report as soon as it is done. */
  readonly onTrial?: (report: TrialReport) => void;
}

/** The trial a run makes at position `index`. */
export function rotation(
  index: number,
  faults: readonly Fault[],
  subjects: readonly SubjectKind[],
): { fault: Fault; subject: SubjectKind } {
  return { fault: faults[index % faults.length]!, subject: subjects[index % subjects.length]! };
}

/** A report for a trial the harness itself could not carry out. */
export function harnessFailure(
  index: number,
  fault: Fault,
  subject: SubjectKind,
  err: unknown,
): TrialReport {
  return {
    trial: index,
    subject,
    fault: fault.name,
    ok: false,
    violations: [{ invariant: 'harness', detail: (err as Error).stack ?? String(err) }],
    figures: {},
    faultDetails: {},
    clientErrors: {},
    timings: {},
  };
}

export async function runPgFaults(options: PgFaultOptions): Promise<TrialReport[]> {
  const subjects = options.subjects ?? SUBJECT_KINDS;
  const faults = options.faults ?? PG_FAULTS;
  if (!canRunPrivatePostgres())
    throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql');
  if (subjects.includes('server') && !existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error(`the server subject runs ${AION_BIN} from dist: run \`npm run build\` first`);
  const plan = { ...DEFAULT_PLAN, ...options.plan };
  const root = mkdtempSync(path.join(tmpdir(), 'aion-torture-'));
  const cluster = await startPrivatePostgres();
  const reports: TrialReport[] = [];
  try {
    for (let i = 0; i < options.trials; i++) {
      const { fault, subject } = rotation(i, faults, subjects);
      let report: TrialReport;
      const db = await postgresDatabase(cluster, `torture_${i}`);
      try {
        const dir = path.join(root, `trial-${i}`);
        report = await runTrial({ index: i, subject, fault, plan }, { db, dir, pg: cluster });
      } catch (err) {
        report = harnessFailure(i, fault, subject, err);
      }
      if (!options.keep) await db.drop().catch(() => undefined);
      reports.push(report);
      options.onTrial?.(report);
    }
  } finally {
    if (options.keep) process.stderr.write(`kept: ${root} (cluster stopped)\n`);
    await (options.keep ? cluster.stop('fast').catch(() => undefined) : cluster.destroy());
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
  return reports;
}
