// The kill torture (`npm run torture -- --kills N`): in each trial, `kill -9` of the subject's
// processes at seeded random moments while the workload runs — the embedded engine's process,
// the `aion server` process, or one or more remote activity workers — each restarted by its
// supervisor. Trials rotate through the subjects, on a SQLite file (default) or a database of
// a private PostgreSQL cluster; trial i of a run with seed S uses seed S + i, so a failing
// trial is run again (the same kill schedule) by the command in its report.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Defect } from '../src/core/index.js';
import { seededRandom } from '../src/testing/fault-store/index.js';
import {
  canRunPrivatePostgres,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../test/support/private-postgres.js';
import {
  postgresDatabase,
  sqliteDatabase,
  type StoreKind,
  type TrialDatabase,
} from './database.js';
import type { Fault, FaultTarget } from './faults.js';
import { readLines, type AckLine } from './journal.js';
import { AION_BIN, ROOT } from './paths.js';
import { harnessFailure } from './pg-faults.js';
import { KILL_SUBJECTS, type SubjectKind } from './subjects.js';
import { runTrial, type TrialReport } from './trial.js';
import { DEFAULT_PLAN, type WorkloadPlan } from './workload.js';

/** One kill of a schedule: after `afterMs` of the targets running, SIGKILL to each. */
export interface KillStep {
  readonly afterMs: number;
  /**
   * Then wait for the workload's next acknowledged start or signal and kill at once: the
   * moment a commit acknowledged too early would be lost.
   */
  readonly onAck: boolean;
  /** Indexes into the subject's killable processes (several: killed at once). */
  readonly targets: readonly number[];
}

/**
 * The kills of a trial with `seed`, for a subject with `killable` processes: 3 to 6 kills,
 * each 200 to 2,500 ms after its targets (re)started, half of them right after the next
 * acknowledgement (all of them with `alwaysOnAck`); with several processes, one at random, or
 * (one time in three) all of them.
 */
export function killSchedule(seed: number, killable: number, alwaysOnAck = false): KillStep[] {
  const random = seededRandom(seed);
  const count = 3 + Math.floor(random() * 4);
  return Array.from({ length: count }, () => {
    const afterMs = 200 + Math.floor(random() * 2300);
    const onAck = random() < 0.5 || alwaysOnAck;
    const all = killable > 1 && random() < 1 / 3;
    const one = Math.floor(random() * killable);
    const targets = all ? Array.from({ length: killable }, (_, i) => i) : [one];
    return { afterMs, onAck, targets };
  });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The acknowledgements a kill may follow: a start or signal is acknowledged once committed (an
// update's result only exists after its commit anyway).
const ACKED = new Set(['start', 'signal']);

/** Resolves as soon as the ack file gets a new acknowledgement, or after `ms`. */
async function nextAck(file: string, ms: number): Promise<boolean> {
  const size = (): number => (existsSync(file) ? statSync(file).size : 0);
  const seen = readLines<AckLine>(file).length;
  let last = size();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    // A tight poll (the file is appended to by another process): the kill should land
    // within a commit's time of the acknowledgement.
    await new Promise((r) => setImmediate(r));
    if (size() === last) continue;
    last = size();
    if (
      readLines<AckLine>(file)
        .slice(seen)
        .some((a) => ACKED.has(a.op))
    )
      return true;
  }
  return false;
}

/** The kill fault of a trial: runs `killSchedule(seed, …)` against the subject's processes. */
export function killFault(seed: number, alwaysOnAck = false): Fault {
  return {
    name: 'kill-9',
    description: 'SIGKILL of the subject processes at seeded random moments',
    inject: async ({ subject, workloadDone, ackFile }: FaultTarget) => {
      const processes = subject.killable;
      const kills: { atMs: number; onAck: boolean; killed: string[] }[] = [];
      const t0 = Date.now();
      for (const step of killSchedule(seed, processes.length, alwaysOnAck)) {
        const targets = step.targets.map((i) => processes[i]!);
        const deadline = Date.now() + 60_000;
        while (!targets.every((p) => p.running) && Date.now() < deadline) await pause(50);
        await pause(step.afterMs);
        if (workloadDone()) break;
        const onAck = step.onAck && (await nextAck(ackFile, 3000));
        const done = await Promise.all(targets.map((p) => p.kill()));
        const killed = targets.filter((_, i) => done[i]).map((p) => p.name);
        if (killed.length > 0) kills.push({ atMs: Date.now() - t0, onAck, killed });
      }
      return { seed, killed: kills.reduce((n, k) => n + k.killed.length, 0), kills };
    },
  };
}

export interface KillTortureOptions {
  readonly trials: number;
  /** Subjects to rotate through. Default embedded, server, remote-worker. */
  readonly subjects?: readonly SubjectKind[];
  /** Default sqlite (a file per trial); postgres starts a private cluster. */
  readonly store?: StoreKind;
  /** Seed of trial 0 (trial i uses seed + i). Default: from the clock. */
  readonly seed?: number;
  readonly plan?: Partial<WorkloadPlan>;
  /** Every kill right after an acknowledgement (default: half of them, drawn from the seed). */
  readonly onAck?: boolean;
  /** Injected engine defects, switched on in the embedded engine's process. */
  readonly defects?: readonly Defect[];
  /** Keep each trial's store and files (their paths are printed). Default false. */
  readonly keep?: boolean;
  /** Called with each trial's report as soon as it is done. */
  readonly onTrial?: (report: TrialReport) => void;
  /** Stops after the first trial for which this is true. */
  readonly stopWhen?: (report: TrialReport) => boolean;
}

/** The command that runs trial `seed` alone again. */
export function reproduceCommand(
  options: KillTortureOptions,
  subject: SubjectKind,
  seed: number,
): string {
  const parts = ['npm run torture -- --kills 1', `--subject ${subject}`];
  if (options.store === 'postgres') parts.push('--store postgres');
  parts.push(`--seed ${seed}`);
  if (options.onAck) parts.push('--on-ack');
  if (options.plan?.workflows !== undefined) parts.push(`--workflows ${options.plan.workflows}`);
  for (const d of options.defects ?? []) parts.push(`--defect ${d}`);
  return parts.join(' ');
}

function checkPrerequisites(subjects: readonly SubjectKind[], store: StoreKind): void {
  if (store === 'postgres' && !canRunPrivatePostgres())
    throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql');
  if (
    subjects.some((s) => s !== 'embedded') &&
    !existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))
  )
    throw new Error(`the server subjects run ${AION_BIN} from dist: run \`npm run build\` first`);
}

async function oneTrial(
  options: KillTortureOptions,
  index: number,
  where: { root: string; cluster: PrivatePostgres | undefined },
): Promise<TrialReport> {
  const subjects = options.subjects ?? KILL_SUBJECTS;
  const subject = subjects[index % subjects.length]!;
  const seed = (options.seed ?? 0) + index;
  const fault = killFault(seed, options.onAck);
  const dir = path.join(where.root, `trial-${index}`);
  let db: TrialDatabase | undefined;
  try {
    db = where.cluster
      ? await postgresDatabase(where.cluster, `torture_${index}`)
      : sqliteDatabase(path.join(dir, 'data'));
    const defects = options.defects ?? [];
    return await runTrial(
      {
        index,
        subject,
        fault,
        plan: { ...DEFAULT_PLAN, ...options.plan },
        faultDelayMs: 0,
        ...(defects.length > 0 ? { env: { AION_TORTURE_DEFECTS: defects.join(',') } } : {}),
        extra: {
          store: options.store ?? 'sqlite',
          seed,
          reproduce: reproduceCommand(options, subject, seed),
        },
      },
      { db, dir },
    );
  } catch (err) {
    return harnessFailure(index, fault, subject, err);
  } finally {
    if (!options.keep) await db?.drop().catch(() => undefined);
  }
}

export async function runKillTorture(options: KillTortureOptions): Promise<TrialReport[]> {
  const store = options.store ?? 'sqlite';
  checkPrerequisites(options.subjects ?? KILL_SUBJECTS, store);
  const seed = options.seed ?? Date.now() % 1_000_000;
  const root = mkdtempSync(path.join(tmpdir(), 'aion-kill-torture-'));
  const cluster = store === 'postgres' ? await startPrivatePostgres() : undefined;
  const reports: TrialReport[] = [];
  try {
    for (let i = 0; i < options.trials; i++) {
      const report = await oneTrial({ ...options, seed }, i, { root, cluster });
      reports.push(report);
      options.onTrial?.(report);
      if (options.stopWhen?.(report)) break;
    }
  } finally {
    if (options.keep) process.stderr.write(`kept: ${root}\n`);
    await (options.keep ? cluster?.stop('fast').catch(() => undefined) : cluster?.destroy());
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
  return reports;
}
