// Keeps a process of a trial running the way a process manager would: when it exits without
// being asked to, that is a death — recorded with its exit status and the tail of its standard
// error — and it is started again (up to a limit), so the trial can still check what a
// restarted process recovers. Asked to stop, it gets SIGTERM, then SIGKILL if it lingers.
// Killed on purpose (`kill`, the kill torture), its exit is a kill, not a death, and it is
// started again after the first restart delay.
import type { ChildProcess } from 'node:child_process';

/** A process exit nobody asked for. */
export interface Death {
  readonly process: string;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
  /** The end of what it wrote on standard error. */
  readonly stderrTail: string;
}

export interface SupervisorOptions {
  /** Restarts after deaths before giving up. Default 8. */
  readonly maxRestarts?: number;
  /** Pause before the first restart, doubled after each death up to 5 s. Default 500 ms. */
  readonly restartDelayMs?: number;
  /** Grace after SIGTERM before SIGKILL. Default 20 s. */
  readonly stopGraceMs?: number;
}

const TAIL = 4000;

export class Supervised {
  readonly name: string;
  readonly deaths: Death[] = [];
  /** Times it was killed on purpose with SIGKILL (each exit then is not a death). */
  kills = 0;
  readonly #launch: () => ChildProcess;
  readonly #options: Required<SupervisorOptions>;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #killing = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(name: string, launch: () => ChildProcess, options: SupervisorOptions = {}) {
    this.name = name;
    this.#launch = launch;
    this.#options = {
      maxRestarts: options.maxRestarts ?? 8,
      restartDelayMs: options.restartDelayMs ?? 500,
      stopGraceMs: options.stopGraceMs ?? 20_000,
    };
  }

  /** True once it died more often than it may be restarted. */
  get gaveUp(): boolean {
    return this.deaths.length > this.#options.maxRestarts;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    const child = this.#launch();
    this.#child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-TAIL);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.#killing) this.#killed();
        else if (!this.#stopping) this.#died(child, code, signal, stderr);
        resolve();
      });
    });
  }

  #died(child: ChildProcess, code: number | null, signal: string | null, stderr: string): void {
    this.deaths.push({
      process: this.name,
      pid: child.pid,
      code,
      signal,
      at: Date.now(),
      stderrTail: stderr,
    });
    if (this.gaveUp) return;
    const delay = Math.min(5000, this.#options.restartDelayMs * 2 ** (this.deaths.length - 1));
    this.#restartTimer = setTimeout(() => {
      if (!this.#stopping) this.start();
    }, delay);
  }

  #killed(): void {
    this.#killing = false;
    this.kills++;
    this.#restartTimer = setTimeout(() => {
      if (!this.#stopping) this.start();
    }, this.#options.restartDelayMs);
  }

  /** True while a process is running (not between an exit and its restart). */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /**
   * Sends SIGKILL to the running process (a crash on purpose, restarted like a death but not
   * counted as one); resolves once it is gone. False when no process was running.
   */
  async kill(): Promise<boolean> {
    if (this.#stopping || !this.running || this.#killing) return false;
    this.#killing = true;
    this.#child!.kill('SIGKILL');
    await this.#exited;
    return true;
  }

  /** SIGTERM, SIGKILL after the grace; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const kill = setTimeout(() => child.kill('SIGKILL'), this.#options.stopGraceMs);
    child.kill('SIGTERM');
    await this.#exited;
    clearTimeout(kill);
  }
}
