// What a trial puts under fault: the engine embedded in a process of its own, or `aion server`
// (from dist) with the workload driven over HTTP by a client process. The engine-carrying
// process is supervised: an exit nobody asked for is a death, and it is started again.
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
} from './paths.js';
import { Supervised, type Death } from './supervisor.js';
import type { WorkloadPlan } from './workload.js';

export type SubjectKind = 'embedded' | 'server';
export const SUBJECT_KINDS: readonly SubjectKind[] = ['embedded', 'server'];

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
  /** Deaths of the engine-carrying process so far. */
  deaths(): readonly Death[];
  /** True once it died more often than it is restarted. */
  gaveUp(): boolean;
  /** Set when the process driving the workload ended without finishing it (not a death). */
  driverFailure(): string | undefined;
  /** Starts the processes (the workload writes `ready` to the ack file once it runs). */
  start(): Promise<void>;
  /** Stops every process (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
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

/** The engine in a child process on `url`, driving the workload itself. */
export function embeddedSubject(url: string, files: TrialFiles, plan: WorkloadPlan): Subject {
  const engine = new Supervised('embedded engine', () =>
    spawnNode(['--import', 'tsx', EMBEDDED_CHILD, url, files.acks, JSON.stringify(plan)], {
      AION_TORTURE_EFFECTS: files.effects,
    }),
  );
  return {
    kind: 'embedded',
    deaths: () => engine.deaths,
    gaveUp: () => engine.gaveUp,
    driverFailure: () => undefined,
    start: async () => engine.start(),
    stop: () => engine.stop(),
  };
}

/** `aion server --store <url>` from dist, and a client process driving the workload over HTTP. */
export function serverSubject(url: string, files: TrialFiles, plan: WorkloadPlan): Subject {
  let port = 0;
  const server = new Supervised('aion server', () =>
    spawnNode(
      [
        AION_BIN,
        'server',
        ...['--store', url, '--host', '127.0.0.1', '--port', String(port), '--no-auth'],
        ...['--workflows', TORTURE_WORKFLOWS, '--activities', TORTURE_ACTIVITIES],
        ...['--data-dir', path.join(files.dir, 'server'), '--log-level', 'warn'],
      ],
      { AION_TORTURE_EFFECTS: files.effects },
    ),
  );
  let client: ChildProcess | undefined;
  let driverFailure: string | undefined;
  return {
    kind: 'server',
    deaths: () => server.deaths,
    gaveUp: () => server.gaveUp,
    driverFailure: () => driverFailure,
    start: async () => {
      port = await freePort();
      const address = `http://127.0.0.1:${port}`;
      server.start();
      await until(
        'the server to be ready',
        async () => server.gaveUp || (await fetch(`${address}/readyz`)).ok,
        90_000,
      );
      const driver = spawnNode(
        ['--import', 'tsx', CLIENT_CHILD, address, files.acks, JSON.stringify(plan)],
        {},
      );
      let stderr = '';
      driver.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
      driver.once('exit', (code, signal) => {
        if (code !== 0 && signal !== 'SIGKILL')
          driverFailure = `client process ended with ${signal ?? `code ${code}`}: ${stderr}`;
      });
      client = driver;
    },
    stop: async () => {
      if (client && client.exitCode === null && client.signalCode === null) {
        const gone = new Promise((r) => client!.once('exit', r));
        client.kill('SIGKILL');
        await gone;
      }
      await server.stop();
    },
  };
}

export function subjectFor(
  kind: SubjectKind,
  url: string,
  files: TrialFiles,
  plan: WorkloadPlan,
): Subject {
  return kind === 'embedded' ? embeddedSubject(url, files, plan) : serverSubject(url, files, plan);
}
