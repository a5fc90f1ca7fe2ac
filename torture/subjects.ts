// What a trial puts under fault: the engine embedded in a process of its own, or `aion server`
// (from dist) with the workload driven over HTTP by a client process — with its activities
// in-process, or run by remote worker processes. The engine-carrying process and the workers
// are supervised: an exit nobody asked for is a death, and each is started again.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../test/support/private-postgres.js';
import {
  AION_BIN,
  CLIENT_CHILD,
  EMBEDDED_CHILD,
  ROOT,
  TORTURE_ACTIVITIES,
  TORTURE_WORKFLOWS,
  WORKER_CHILD,
} from './paths.js';
import type { TrialDatabase } from './database.js';
import { Supervised, type Death } from './supervisor.js';
import type { WorkloadPlan } from './workload.js';

export type SubjectKind = 'embedded' | 'server' | 'remote-worker';
/** The subjects of the PostgreSQL faults. */
export const SUBJECT_KINDS: readonly SubjectKind[] = ['embedded', 'server'];
/** The subjects of the kill torture. */
export const KILL_SUBJECTS: readonly SubjectKind[] = ['embedded', 'server', 'remote-worker'];

/** The files a trial's processes write. */
export interface TrialFiles {
  readonly dir: string;
  /** The workload's acknowledgements (journal.ts). */
  readonly acks: string;
  /** The activities' side effects (fixtures/activities.ts). */
  readonly effects: string;
}

export interface Subject {
  readonly kind: SubjectKind;
  /** Deaths of the supervised processes so far (kills on purpose are not deaths). */
  deaths(): readonly Death[];
  /** True once one died more often than it is restarted. */
  gaveUp(): boolean;
  /** Set when the process driving the workload ended without finishing it (not a death). */
  driverFailure(): string | undefined;
  /** The processes the kill torture may kill: the engine's, the server's or the workers'. */
  readonly killable: readonly Supervised[];
  /** Starts the processes (the workload writes `ready` to the ack file once it runs). */
  start(): Promise<void>;
  /** Stops every process (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** What a subject runs on, beside the trial's files and plan. */
export interface SubjectSetup {
  readonly db: TrialDatabase;
  readonly files: TrialFiles;
  readonly plan: WorkloadPlan;
  /** Extra environment of the engine-carrying process (e.g. AION_TORTURE_DEFECTS). */
  readonly env?: Readonly<Record<string, string>>;
}

function spawnNode(
  argv: readonly string[],
  env: Record<string, string>,
  stdout: 'ignore' | 'inherit' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The engine in a child process on the trial's store, driving the workload itself. */
export function embeddedSubject({ db, files, plan, env }: SubjectSetup): Subject {
  const engine = new Supervised('embedded engine', () =>
    spawnNode(['--import', 'tsx', EMBEDDED_CHILD, db.location, files.acks, JSON.stringify(plan)], {
      ...env,
      AION_TORTURE_EFFECTS: files.effects,
    }),
  );
  return {
    kind: 'embedded',
    deaths: () => engine.deaths,
    gaveUp: () => engine.gaveUp,
    driverFailure: () => undefined,
    killable: [engine],
    start: async () => engine.start(),
    stop: () => engine.stop(),
  };
}

/** `aion server` on the trial's store, its activities in-process unless `remoteActivities`. */
function supervisedServer(setup: SubjectSetup, port: () => number, remoteActivities: boolean) {
  const { db, files } = setup;
  const store =
    db.kind === 'sqlite'
      ? ['--store', 'sqlite', '--data-dir', path.dirname(db.location)]
      : ['--store', db.location, '--data-dir', path.join(files.dir, 'server')];
  return new Supervised('aion server', () =>
    spawnNode(
      [
        AION_BIN,
        'server',
        ...store,
        ...['--host', '127.0.0.1', '--port', String(port()), '--no-auth'],
        ...['--workflows', TORTURE_WORKFLOWS, '--log-level', 'warn'],
        ...(remoteActivities ? [] : ['--activities', TORTURE_ACTIVITIES]),
      ],
      { ...setup.env, AION_TORTURE_EFFECTS: files.effects },
    ),
  );
}

/** The client process driving the workload over HTTP; its failures are reported to `failed`. */
function startDriver(address: string, setup: SubjectSetup, failed: (why: string) => void) {
  const driver = spawnNode(
    ['--import', 'tsx', CLIENT_CHILD, address, setup.files.acks, JSON.stringify(setup.plan)],
    {},
  );
  let stderr = '';
  driver.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  driver.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL')
      failed(`client process ended with ${signal ?? `code ${code}`}: ${stderr}`);
  });
  return driver;
}

async function killDriver(client: ChildProcess | undefined): Promise<void> {
  if (client && client.exitCode === null && client.signalCode === null) {
    const gone = new Promise((r) => client.once('exit', r));
    client.kill('SIGKILL');
    await gone;
  }
}

/** Remote activity workers the `remote-worker` subject runs beside the server. */
const REMOTE_WORKERS = 2;

/**
 * `aion server` from dist and a client process driving the workload over HTTP; with
 * `remote-worker`, the server runs no activity itself and two remote worker processes do.
 */
export function serverSubject(setup: SubjectSetup, kind: 'server' | 'remote-worker'): Subject {
  let port = 0;
  const address = (): string => `http://127.0.0.1:${port}`;
  const server = supervisedServer(setup, () => port, kind === 'remote-worker');
  const workers =
    kind === 'server'
      ? []
      : Array.from(
          { length: REMOTE_WORKERS },
          (_, i) =>
            new Supervised(`remote worker ${i}`, () =>
              spawnNode(['--import', 'tsx', WORKER_CHILD, address(), `worker-${i}`], {
                AION_TORTURE_EFFECTS: setup.files.effects,
                // Longer executions: a kill of a worker often cuts an attempt short.
                AION_TORTURE_EFFECT_MS: '200',
              }),
            ),
        );
  const all = [server, ...workers];
  let client: ChildProcess | undefined;
  let driverFailure: string | undefined;
  return {
    kind,
    deaths: () => all.flatMap((p) => p.deaths),
    gaveUp: () => all.some((p) => p.gaveUp),
    driverFailure: () => driverFailure,
    killable: kind === 'server' ? [server] : workers,
    start: async () => {
      port = await freePort();
      server.start();
      await until(
        'the server to be ready',
        async () => server.gaveUp || (await fetch(`${address()}/readyz`)).ok,
        90_000,
      );
      for (const w of workers) w.start();
      client = startDriver(address(), setup, (why) => (driverFailure = why));
    },
    stop: async () => {
      await killDriver(client);
      await Promise.all(workers.map((w) => w.stop()));
      await server.stop();
    },
  };
}

export function subjectFor(kind: SubjectKind, setup: SubjectSetup): Subject {
  return kind === 'embedded' ? embeddedSubject(setup) : serverSubject(setup, kind);
}
