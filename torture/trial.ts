// One trial: a fresh database, the subject (embedded engine or server) under the workload, one
// fault in the middle of it, the wait for the workload to finish, then the invariants checked
// from what the store, the ack file and the effects file hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { historyExport } from '../src/core/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { replayHistories } from '../src/testing/index.js';
import { readAllHistories } from '../test/support/histories.js';
import type { PrivatePostgres } from '../test/support/private-postgres.js';
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
}

export interface TrialReport {
  readonly trial: number;
  readonly subject: SubjectKind;
  readonly fault: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly figures: Record<string, number>;
  readonly faultDetails: Record<string, unknown>;
  /** Retryable errors the workload saw, by code. */
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly timings: Record<string, number>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function admin<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates database `name` in the cluster; returns its connection string. */
export async function createDatabase(cluster: PrivatePostgres, name: string): Promise<string> {
  await admin(cluster.url, (c) => c.query(`CREATE DATABASE ${name}`));
  return cluster.url.replace(/\/[^/]*$/, `/${name}`);
}

export async function dropDatabase(cluster: PrivatePostgres, name: string): Promise<void> {
  await admin(cluster.url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

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

async function gather(url: string, files: TrialFiles): Promise<Omit<Evidence, 'deaths'>> {
  const store = await openPostgresStore({ connectionString: url, poolSize: 2 });
  let histories;
  try {
    histories = await readAllHistories(store);
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
    effects: readLines<EffectLine>(files.effects),
  };
}

/** Runs one trial in database `torture_<index>` of `cluster`; files go under `root`. */
export async function runTrial(
  spec: TrialSpec,
  cluster: PrivatePostgres,
  root: string,
): Promise<TrialReport> {
  const name = `torture_${spec.index}`;
  const url = await createDatabase(cluster, name);
  const dir = path.join(root, `trial-${spec.index}`);
  mkdirSync(dir, { recursive: true });
  const files = {
    dir,
    acks: path.join(dir, 'acks.jsonl'),
    effects: path.join(dir, 'effects.jsonl'),
  };
  const subject = subjectFor(spec.subject, url, files, spec.plan);
  const t0 = Date.now();
  let faultDetails: Record<string, unknown> = {};
  let unfinished: string | undefined;
  const timings: Record<string, number> = {};
  try {
    await subject.start();
    const started = await workloadStarted(files, subject);
    if (started !== undefined) unfinished = started;
    else {
      await pause(spec.faultDelayMs ?? 1000);
      timings.faultAtMs = Date.now() - t0;
      const f0 = Date.now();
      faultDetails = await spec.fault.inject({ pg: cluster, subject });
      timings.faultMs = Date.now() - f0;
      const r0 = Date.now();
      unfinished = await workloadOutcome(files, subject, spec.plan.deadlineMs);
      timings.afterFaultToDoneMs = Date.now() - r0;
      if (unfinished !== undefined) {
        unfinished += `; ${await dumpStall(url, path.join(dir, 'stall.json'))}`;
      }
    }
  } finally {
    await subject.stop();
  }
  const evidence = { ...(await gather(url, files)), deaths: subject.deaths() };
  const verdict = checkInvariants(
    unfinished === undefined ? evidence : { ...evidence, unfinished },
  );
  timings.totalMs = Date.now() - t0;
  const done = evidence.acks.find((a) => a.op === 'done');
  return {
    trial: spec.index,
    subject: spec.subject,
    fault: spec.fault.name,
    ok: verdict.violations.length === 0,
    violations: verdict.violations,
    figures: verdict.figures,
    faultDetails,
    clientErrors: done?.op === 'done' ? done.errors : {},
    timings,
  };
}

/**
 * Writes what the store holds for every open run (its last events, its activity tasks and
 * timers) while the subject still runs, so a workload that stalled can be diagnosed.
 */
export async function dumpStall(url: string, file: string): Promise<string> {
  const state = await admin(url, async (c) => {
    const runs = await c.query(
      `SELECT run_id, workflow_id, status, head_seq FROM aion.runs WHERE status = 'RUNNING'`,
    );
    const out = [];
    for (const r of runs.rows as { run_id: string; workflow_id: string }[]) {
      const events = await c.query(
        `SELECT * FROM aion.events WHERE run_id = $1 ORDER BY seq DESC LIMIT 8`,
        [r.run_id],
      );
      const tasks = await c.query(`SELECT * FROM aion.tasks WHERE run_id = $1`, [r.run_id]);
      const timers = await c.query(`SELECT * FROM aion.timers WHERE run_id = $1`, [r.run_id]);
      out.push({ run: r, events: events.rows, tasks: tasks.rows, timers: timers.rows });
    }
    return { at: Date.now(), open: out };
  }).catch((e: unknown) => ({ error: String(e) }));
  writeFileSync(file, JSON.stringify(state, null, 2));
  if ('error' in state) return `open runs not read: ${state.error}`;
  const runs = state.open.map((o) => {
    const last = (o.events as { seq: number; type: string }[])
      .slice(0, 6)
      .reverse()
      .map((e) => `${e.seq}:${e.type}`)
      .join(',');
    const tasks = (o.tasks as { activity_type: string; attempt: number; lease_owner: unknown }[])
      .map((t) => `${t.activity_type}#${t.attempt}${t.lease_owner ? ' leased' : ''}`)
      .join(',');
    return `${o.run.workflow_id} last=${last} tasks=[${tasks}] timers=${o.timers.length}`;
  });
  return `${runs.length} open: ${runs.join('; ')} (details in ${file} with --keep)`;
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
