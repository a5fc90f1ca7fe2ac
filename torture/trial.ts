// One trial: a fresh store, the subject (embedded engine, server, or server with remote
// workers) under the workload, a fault in the middle of it (PostgreSQL faults, or kill -9 of
// the subject's processes), the wait for the workload to finish, then the invariants checked
// from what the store, the ack file and the effects file hold.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { historyExport } from '../src/core/index.js';
import { replayHistories } from '../src/testing/index.js';
import { readAllHistories } from '../test/support/histories.js';
import type { PrivatePostgres } from '../test/support/private-postgres.js';
import { dumpStall, type StoreKind, type TrialDatabase } from './database.js';
import type { Fault } from './faults.js';
import { checkInvariants, type Evidence, type Violation } from './invariants.js';
import { readLines, type AckLine, type EffectLine } from './journal.js';
import { TORTURE_WORKFLOWS } from './paths.js';
import { subjectFor, type Subject, type SubjectKind, type TrialFiles } from './subjects.js';
import type { WorkloadPlan } from './workload.js';

export interface TrialSpec {
  readonly index: number;
  readonly subject: SubjectKind;
  readonly fault: Fault;
  readonly plan: WorkloadPlan;
  /** Pause between the first acknowledged start and the fault. Default 1 s. */
  readonly faultDelayMs?: number;
  /** Extra environment of the engine-carrying process (e.g. injected defects). */
  readonly env?: Readonly<Record<string, string>>;
  /** What the caller adds to the report (the kill torture's store, seed and command). */
  readonly extra?: Pick<TrialReport, 'store' | 'seed' | 'reproduce'>;
}

export interface TrialReport {
  readonly trial: number;
  readonly subject: SubjectKind;
  readonly fault: string;
  readonly store?: StoreKind;
  /** The kill torture's seed of this trial (its kill schedule). */
  readonly seed?: number;
  /** The command that runs this trial again (same subject, store and kill schedule). */
  readonly reproduce?: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly figures: Record<string, number>;
  readonly faultDetails: Record<string, unknown>;
  /** Retryable errors the workload saw, by code. */
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly timings: Record<string, number>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `done` in the ack file; returns why the workload did not finish, if it did not. */
async function workloadOutcome(
  files: TrialFiles,
  subject: Subject,
  deadlineMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const acks = readLines<AckLine>(files.acks);
    if (acks.some((a) => a.op === 'done')) return undefined;
    const gaveUp = acks.find((a) => a.op === 'gave-up');
    if (gaveUp && gaveUp.op === 'gave-up') return `workload gave up: ${gaveUp.error}`;
    if (subject.gaveUp()) return `${subject.kind} kept dying (${subject.deaths().length} deaths)`;
    const driver = subject.driverFailure();
    if (driver) return driver;
    if (Date.now() > deadline) return `workload not done ${deadlineMs} ms after the fault`;
    await pause(200);
  }
}

/** The evidence a trial's processes left: every history (replayed), the acks and the effects. */
export async function gatherEvidence(
  db: TrialDatabase,
  files: Pick<TrialFiles, 'acks' | 'effects'>,
  /** Only the workflows (and effect keys) of this workload, when several share the store. */
  only: (id: string) => boolean = () => true,
): Promise<Omit<Evidence, 'deaths'>> {
  const store = await db.open();
  let histories;
  try {
    histories = (await readAllHistories(store)).filter((h) => only(h.run.workflowId));
  } finally {
    await store.close();
  }
  const replay = await replayHistories(
    histories.map((h) => historyExport(h.run, h.events)),
    TORTURE_WORKFLOWS,
  );
  return {
    histories,
    replay,
    acks: readLines<AckLine>(files.acks),
    effects: readLines<EffectLine>(files.effects).filter((e) => only(e.key)),
  };
}

/** Where a trial runs: its store, its folder, and the cluster PostgreSQL faults act on. */
export interface TrialPlace {
  readonly db: TrialDatabase;
  readonly dir: string;
  readonly pg?: PrivatePostgres;
}

/** Starts the subject, injects the fault once the workload runs, waits for it to finish. */
async function exercise(spec: TrialSpec, place: TrialPlace, files: TrialFiles, subject: Subject) {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  let faultDetails: Record<string, unknown> = {};
  let unfinished: string | undefined;
  try {
    await subject.start();
    unfinished = await workloadStarted(files, subject);
    if (unfinished === undefined) {
      await pause(spec.faultDelayMs ?? 1000);
      timings.faultAtMs = Date.now() - t0;
      const f0 = Date.now();
      faultDetails = await spec.fault.inject({
        ...(place.pg ? { pg: place.pg } : {}),
        subject,
        workloadDone: () => readLines<AckLine>(files.acks).some((a) => a.op === 'done'),
        ackFile: files.acks,
      });
      timings.faultMs = Date.now() - f0;
      const r0 = Date.now();
      unfinished = await workloadOutcome(files, subject, spec.plan.deadlineMs);
      timings.afterFaultToDoneMs = Date.now() - r0;
      if (unfinished !== undefined)
        unfinished += `; ${await dumpStall(place.db, path.join(files.dir, 'stall.json'))}`;
    }
  } finally {
    await subject.stop();
  }
  return { timings, faultDetails, unfinished };
}

/** Runs one trial on `place.db`; its files go under `place.dir`. */
export async function runTrial(spec: TrialSpec, place: TrialPlace): Promise<TrialReport> {
  const dir = place.dir;
  mkdirSync(dir, { recursive: true });
  const files = {
    dir,
    acks: path.join(dir, 'acks.jsonl'),
    effects: path.join(dir, 'effects.jsonl'),
  };
  const subject = subjectFor(spec.subject, {
    db: place.db,
    files,
    plan: spec.plan,
    ...(spec.env ? { env: spec.env } : {}),
  });
  const t0 = Date.now();
  const { timings, faultDetails, unfinished } = await exercise(spec, place, files, subject);
  const evidence = { ...(await gatherEvidence(place.db, files)), deaths: subject.deaths() };
  const verdict = checkInvariants(
    unfinished === undefined ? evidence : { ...evidence, unfinished },
  );
  timings.totalMs = Date.now() - t0;
  const done = evidence.acks.find((a) => a.op === 'done');
  return {
    trial: spec.index,
    subject: spec.subject,
    fault: spec.fault.name,
    ...spec.extra,
    ok: verdict.violations.length === 0,
    violations: verdict.violations,
    figures: verdict.figures,
    faultDetails,
    clientErrors: done?.op === 'done' ? done.errors : {},
    timings,
  };
}

/** Waits for the first acknowledged start; returns why it never came, if it did not. */
async function workloadStarted(files: TrialFiles, subject: Subject): Promise<string | undefined> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (readLines<AckLine>(files.acks).some((a) => a.op === 'start')) return undefined;
    if (subject.gaveUp()) return `${subject.kind} kept dying before the workload started`;
    const driver = subject.driverFailure();
    if (driver) return driver;
    if (Date.now() > deadline) return 'no start acknowledged within 120 s';
    await pause(100);
  }
}
