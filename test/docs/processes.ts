/**
 * Child processes for the docs check: a shell block run to completion, a server run until it
 * is ready and then stopped. Each runs in a process group of its own, so stopping it also
 * stops what it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Output kept per stream: enough to see what went wrong, bounded for chatty commands. */
const MAX_OUTPUT = 64 * 1024;

export interface Finished {
  /** Exit status, or undefined when the process was ended by a signal. */
  readonly code: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the check killed the process because it did not end in time. */
  readonly timedOut: boolean;
}

function append(buffer: string, chunk: Buffer): string {
  const next = buffer + chunk.toString();
  return next.length > MAX_OUTPUT ? `…${next.slice(next.length - MAX_OUTPUT)}` : next;
}

/** A command started in a new process group, with captured output and no stdin. */
export class ProcessGroup {
  readonly #child: ChildProcess;
  readonly #exited: Promise<Finished>;
  #stdout = '';
  #stderr = '';
  #timedOut = false;
  #done = false;

  constructor(
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    this.#child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#child.stdout!.on('data', (c: Buffer) => (this.#stdout = append(this.#stdout, c)));
    this.#child.stderr!.on('data', (c: Buffer) => (this.#stderr = append(this.#stderr, c)));
    this.#exited = new Promise<Finished>((resolve) => {
      this.#child.on('error', (err) => {
        this.#stderr += `\n${err.message}`;
      });
      this.#child.on('close', (code, signal) => {
        this.#done = true;
        resolve({
          code: code ?? undefined,
          signal: signal ?? undefined,
          stdout: this.#stdout,
          stderr: this.#stderr,
          timedOut: this.#timedOut,
        });
      });
    });
  }

  /** Whether the process has ended (and its output is complete). */
  get done(): boolean {
    return this.#done;
  }

  /** Output so far. */
  output(): { stdout: string; stderr: string } {
    return { stdout: this.#stdout, stderr: this.#stderr };
  }

  /** Waits for the process to end; after `deadlineMs` kills its group and reports a timeout. */
  async finish(deadlineMs: number): Promise<Finished> {
    const late = Symbol('late');
    const outcome = await Promise.race([this.#exited, delay(deadlineMs, late)]);
    if (outcome !== late) return outcome;
    this.#timedOut = true;
    this.#signal('SIGKILL');
    return this.#exited;
  }

  /** Asks the group to stop (SIGTERM) and waits; kills it if it is still there after `graceMs`. */
  async stop(graceMs: number): Promise<Finished> {
    this.#signal('SIGTERM');
    return this.finish(graceMs);
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#done) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}

/** A TCP port that was free on the loopback interface a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `<address>/readyz` until it answers 200: `true` then, `false` if the process ended
 * first or `deadlineMs` passed.
 */
export async function waitReady(
  address: string,
  server: ProcessGroup,
  deadlineMs: number,
): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  while (!server.done && performance.now() < deadline) {
    try {
      const res = await fetch(`${address}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await delay(250);
  }
  return false;
}
