// What the long-running commands (`aion server`, `aion dev`) share: the start line and the
// port and pid files they write once listening, and how they stop on SIGTERM or SIGINT.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AionError } from '../../core/index.js';
import type { AionServer } from '../../server/index.js';
import { withHint, type CliIo } from '../output.js';

export interface RunFileFlags {
  readonly portFile?: string;
  readonly pidFile?: string;
}

/**
 * With `--json`, the one line a long-running command writes on standard output once it
 * listens: where to reach it (`address`, as `--address` takes it; `host`, `port`) and its
 * `pid`, among other facts.
 */
export function printStartLine(io: CliIo, line: Readonly<Record<string, unknown>>): void {
  io.stdout(`${JSON.stringify(line)}\n`);
}

/** Adds `--port-file` and `--pid-file`. */
export function withRunFileOptions(cmd: Command): Command {
  return cmd
    .option(
      '--port-file <path>',
      'write the bound port to this file once listening (removed at exit)',
    )
    .option(
      '--pid-file <path>',
      'write the process id to this file once listening (removed at exit)',
    );
}

/**
 * Writes the port and pid files the flags name, each whole at once (a temporary file renamed
 * into place, so a reader polling for it never sees it half written). Returns the function
 * that removes them. A file that cannot be written is an `invalid_argument` naming its flag.
 */
export function writeRunFiles(flags: RunFileFlags, port: number): () => void {
  const written: string[] = [];
  const remove = (): void => {
    for (const file of written.splice(0)) rmSync(file, { force: true });
  };
  const files = [
    ['--port-file', flags.portFile, port],
    ['--pid-file', flags.pidFile, process.pid],
  ] as const;
  for (const [flag, file, value] of files) {
    if (file === undefined) continue;
    const abs = path.resolve(file);
    const tmp = `${abs}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${value}\n`);
      renameSync(tmp, abs);
    } catch (err) {
      rmSync(tmp, { force: true });
      remove();
      throw withHint(
        new AionError(
          'invalid_argument',
          `cannot write ${flag} ${file}: ${(err as Error).message}`,
          {
            field: flag,
            path: file,
          },
        ),
        `the directory of ${flag} must exist and be writable by this process`,
      );
    }
    written.push(abs);
  }
  return remove;
}

/** Writes the run files; a server whose files cannot be written is drained before the error. */
export async function writeRunFilesOrDrain(
  server: AionServer,
  flags: RunFileFlags,
  port: number,
): Promise<() => void> {
  try {
    return writeRunFiles(flags, port);
  } catch (err) {
    await server.drain();
    throw err;
  }
}

/**
 * Resolves once the first SIGTERM or SIGINT has run `stop`. A second signal while it runs
 * exits at once with status 130, after `onForcedExit`.
 */
export function untilSignalled(
  stop: (signal: string) => Promise<void>,
  io: CliIo,
  onForcedExit: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const signals = ['SIGTERM', 'SIGINT'] as const;
    const done = (): void => {
      for (const signal of signals) process.off(signal, handle);
      resolve();
    };
    const handle = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.stderr(`${signal} again: exiting now\n`);
        onForcedExit();
        process.exit(130);
      }
      stopping = true;
      stop(signal).then(done, (err: unknown) => {
        io.stderr(`stop failed: ${(err as Error).message}\n`);
        done();
      });
    };
    for (const signal of signals) process.on(signal, handle);
  });
}

/**
 * How long after `drainGraceMs + drainTimeoutMs` a stopping server may take to exit: the
 * commits in flight at the deadline, closing the store, exporting the last spans.
 */
export const EXIT_MARGIN_MS = 2000;
/** After a finished stop, how long stray handles may keep the process before it exits. */
const STRAY_HANDLES_MS = 200;

/**
 * Bounds a stop in time. If the process is still alive `ms` from now it exits with status 1,
 * saying the stop did not finish. Once the stop is `finished()`, the process exits with
 * status 0 as soon as nothing holds it open — or after a short while if something still does
 * (say, an activity that ignored its cancellation), saying so. The timers never keep the
 * process alive themselves.
 */
export function exitWithin(ms: number, io: CliIo): { finished(): void } {
  const bound = setTimeout(() => {
    io.stderr(`stop did not finish within ${ms} ms: exiting now\n`);
    process.exit(1);
  }, ms);
  bound.unref();
  return {
    finished() {
      clearTimeout(bound);
      setTimeout(() => {
        io.stderr('stopped; exiting although open handles remain (user code still running?)\n');
        process.exit(0);
      }, STRAY_HANDLES_MS).unref();
    },
  };
}
