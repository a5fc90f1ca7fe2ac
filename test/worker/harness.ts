/** A real engine + server on loopback, and remote worker child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../../src/index.js';
import type { TaskQueueOptions } from '../../src/engine/index.js';
import { ApiKeys } from '../../src/server/api-keys.js';
import { createServer, type AionServer } from '../../src/server/server.js';
import { readJsonLines } from '../support/json-lines.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const workerMain = new URL('./fixtures/worker-process.ts', import.meta.url).pathname;

export interface LogEntry {
  event: string;
  identity: string;
  pid: number;
  key?: string;
  attempt?: number;
  running?: number;
  reason?: string;
  code?: string;
  [k: string]: unknown;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly identity: string;
  stderr(): string;
}

export class Harness {
  readonly dir: string;
  readonly log: string;
  readonly engine: Engine;
  readonly server: AionServer;
  readonly url: string;
  readonly #children: ChildProcess[] = [];

  private constructor(dir: string, engine: Engine, server: AionServer, url: string) {
    this.dir = dir;
    this.log = path.join(dir, 'activity.log');
    this.engine = engine;
    this.server = server;
    this.url = url;
  }

  static async start(
    options: {
      auth?: boolean;
      taskQueues?: Record<string, TaskQueueOptions>;
      keys?: readonly { name: string; role: 'reader' | 'operator' | 'worker' | 'admin' }[];
    } = {},
  ): Promise<{ harness: Harness; tokens: string[] }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-worker-'));
    const engine = await createEngine({
      dataDir: dir,
      workflowsPath,
      ...(options.taskQueues ? { taskQueues: options.taskQueues } : {}),
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    const keys = new ApiKeys(engine.store);
    const tokens: string[] = [];
    for (const k of options.keys ?? []) tokens.push((await keys.create(k)).token);
    const server = await createServer({
      engine,
      config: { port: 0, auth: options.auth ?? false, dataDir: dir },
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    const { url } = await server.listen();
    return { harness: new Harness(dir, engine, server, url), tokens };
  }

  /** Spawns a worker process (`node --import tsx`) serving task queue `remote`. */
  spawnWorker(
    identity: string,
    options: { address?: string; apiKey?: string; maxConcurrent?: number } = {},
  ): WorkerProcess {
    const config = {
      address: options.address ?? this.url,
      taskQueue: 'remote',
      identity,
      log: this.log,
      dir: this.dir,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.maxConcurrent ? { maxConcurrent: options.maxConcurrent } : {}),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', workerMain], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, AION_WORKER_CONFIG: JSON.stringify(config) },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.#children.push(child);
    return { child, identity, stderr: () => stderr };
  }

  entries(): LogEntry[] {
    return readJsonLines<LogEntry>(this.log);
  }

  release(key: string): void {
    writeFileSync(path.join(this.dir, `release-${key}`), '');
  }

  /** Waits until a worker with `identity` is registered. */
  async registered(identity: string): Promise<void> {
    await waitFor(
      async () => (await this.engine.workers()).workers.some((w) => w.identity === identity),
      `worker ${identity} to register`,
    );
  }

  async close(): Promise<void> {
    for (const c of this.#children)
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP proxy whose live connections the test can cut (a network failure, not a process death). */
export async function startProxy(
  targetPort: number,
): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const done = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
