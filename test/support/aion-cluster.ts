/**
 * A cluster of `aion server --cluster` processes (from dist: `npm run build` first) on one
 * PostgreSQL store, on loopback, each node in a slot with a fixed port, so that a node started
 * again in its slot is found by the clients and remote workers that used the previous one. A
 * remote activity worker process can be attached to each slot. Exits nobody asked for are kept
 * as deaths, in the shape the fault harness checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root, spawnAion, until, type AionProcess } from './aion-process.js';
import { freePort } from './private-postgres.js';

/** An exit of a node or worker process that was not asked for. */
export interface ProcessDeath {
  readonly process: string;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
  readonly stderrTail: string;
}

export interface ClusterNodeProcess {
  readonly slot: number;
  readonly url: string;
  readonly nodeId: string;
  readonly proc: AionProcess;
  readonly pid: number;
}

export interface AionClusterOptions {
  /** The PostgreSQL connection string every node serves. */
  readonly storeUrl: string;
  readonly workflowsPath: string;
  /** Where the nodes' data directories go. */
  readonly dir: string;
  /** The remote worker program: `node --import tsx <workerChild> <address> <identity>`. */
  readonly workerChild: string;
  /** Environment of every node and worker process. */
  readonly env?: Readonly<Record<string, string>>;
  /** The nodes' `--log-level`. Default `warn`. */
  readonly logLevel?: string;
}

interface Slot {
  readonly port: number;
  node?: ClusterNodeProcess | undefined;
  worker?: ChildProcess;
}

const tail = (text: string): string => text.slice(-4000);

export class AionCluster {
  readonly deaths: ProcessDeath[] = [];
  readonly #o: AionClusterOptions;
  readonly #slots = new Map<number, Slot>();
  /** Processes whose exit is expected (stopped or killed on purpose). */
  readonly #leaving = new Set<number>();
  #generation = 0;
  /** Every node started, with where its standard error goes at shutdown. */
  readonly #started: { proc: AionProcess; log: string }[] = [];

  constructor(options: AionClusterOptions) {
    this.#o = options;
  }

  node(slot: number): ClusterNodeProcess {
    const node = this.#slots.get(slot)?.node;
    if (node === undefined) throw new Error(`no node runs in slot ${slot}`);
    return node;
  }

  /** The nodes running now (not the killed or stopped ones). */
  live(): ClusterNodeProcess[] {
    return [...this.#slots.values()].flatMap((s) => (s.node ? [s.node] : []));
  }

  async #slot(slot: number): Promise<Slot> {
    let s = this.#slots.get(slot);
    if (s === undefined) {
      s = { port: await freePort() };
      this.#slots.set(slot, s);
    }
    return s;
  }

  /** The address of a slot (the same for every node started in it). */
  async address(slot: number): Promise<string> {
    return `http://127.0.0.1:${(await this.#slot(slot)).port}`;
  }

  /** Starts a node in `slot`; resolves once it is ready and has told its node id. */
  async startNode(slot: number): Promise<ClusterNodeProcess> {
    const s = await this.#slot(slot);
    const url = await this.address(slot);
    const dataDir = path.join(this.#o.dir, `node-${slot}-${++this.#generation}`);
    mkdirSync(dataDir, { recursive: true });
    const proc = spawnAion(
      [
        'server',
        '--cluster',
        ...['--store', this.#o.storeUrl, '--data-dir', dataDir],
        ...['--host', '127.0.0.1', '--port', String(s.port), '--no-auth'],
        ...['--workflows', this.#o.workflowsPath, '--log-level', this.#o.logLevel ?? 'warn'],
      ],
      { env: { ...this.#o.env } },
    );
    this.#started.push({ proc, log: path.join(dataDir, 'stderr.log') });
    const pid = proc.child.pid!;
    this.#watch(`node ${slot} (${url})`, proc.child, proc.stderr);
    const ready = until(
      `node ${slot} to be ready`,
      async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined),
      120_000,
    );
    const exited = proc.exited.then((code) => {
      throw new Error(`node ${slot} exited with ${code} before it was ready:\n${proc.stderr()}`);
    });
    await Promise.race([ready, exited]);
    const status = (await (await fetch(`${url}/api/v1/cluster`)).json()) as { nodeId: string };
    const node = { slot, url, nodeId: status.nodeId, proc, pid };
    s.node = node;
    return node;
  }

  /** Starts the remote activity worker of `slot`, connected to that slot's address. */
  async startWorker(slot: number): Promise<void> {
    const s = await this.#slot(slot);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', this.#o.workerChild, await this.address(slot), `worker-${slot}`],
      { cwd: root, env: { ...process.env, ...this.#o.env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = tail(stderr + c.toString())));
    this.#watch(`worker ${slot}`, child, () => stderr);
    s.worker = child;
  }

  #watch(name: string, child: ChildProcess, stderr: () => string): void {
    child.once('exit', (code, signal) => {
      if (this.#leaving.has(child.pid!)) return;
      this.deaths.push({
        process: name,
        pid: child.pid,
        code,
        signal,
        at: Date.now(),
        stderrTail: tail(stderr()),
      });
    });
  }

  /** `kill -9` of the node in `slot`; resolves once it is gone. */
  async kill(slot: number): Promise<ClusterNodeProcess> {
    const node = this.node(slot);
    this.#leaving.add(node.pid);
    this.#slots.get(slot)!.node = undefined;
    node.proc.child.kill('SIGKILL');
    await node.proc.exited;
    return node;
  }

  /** SIGTERM to the node in `slot`; resolves with its exit code once it is gone. */
  async stop(slot: number): Promise<number | null> {
    const node = this.node(slot);
    this.#leaving.add(node.pid);
    this.#slots.get(slot)!.node = undefined;
    node.proc.child.kill('SIGTERM');
    return node.proc.exited;
  }

  /** Sends `signal` (SIGSTOP, SIGCONT) to the node in `slot`. */
  signal(slot: number, signal: NodeJS.Signals): void {
    this.node(slot).proc.child.kill(signal);
  }

  /** Ends every process (thawing frozen ones first). */
  async shutdown(): Promise<void> {
    const exits: Promise<unknown>[] = [];
    for (const s of this.#slots.values()) {
      for (const child of [s.node?.proc.child, s.worker]) {
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) continue;
        this.#leaving.add(child.pid!);
        exits.push(new Promise((r) => child.once('exit', r)));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
    await Promise.all(exits);
    for (const { proc, log } of this.#started) writeFileSync(log, proc.stderr());
  }
}
