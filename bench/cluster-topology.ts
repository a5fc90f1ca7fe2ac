// Processes of the cluster benchmark: server nodes (cluster-node.ts) on a fresh PostgreSQL
// schema, one remote worker process (server-worker.ts) per node, and waiting until the
// shards are spread over the live nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { benchScript, startChild, type LiveChild } from './child.js';
import { PG_URL } from './engine-common.js';
import { nowMs } from './lib.js';

const NODE = fileURLToPath(new URL('./cluster-node.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./server-worker.ts', import.meta.url));
export const CHILD_TIMEOUT_MS = 600_000;
const READY_TIMEOUT_MS = 60_000;
/** Activities in flight per worker process (as the server bench: twice its concurrency). */
const WORKER_SLOTS = 200;

/** Printed by the client on its own line when the measured part of a throughput phase begins. */
export const MEASURING = 'AION_BENCH_MEASURING';

/** Resolves when `child` prints `line` on a line of its own on standard output. */
export function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (chunk: Buffer | string): void => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
  });
}

export interface NodeProcess {
  readonly live: LiveChild;
  readonly url: string;
  readonly pid: number;
  readonly nodeId: string;
  readonly port: number;
}

export const freshSchema = (prefix: string): string =>
  `${prefix}_${randomBytes(5).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/** A TCP port free right now (so a restarted node listens where its clients and worker look). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a node process; resolves once it listens. */
export async function startNode(
  schema: string,
  mode: 'cluster' | 'single',
  port: number,
): Promise<NodeProcess> {
  const live = startChild(NODE, [schema, mode, String(port)], { timeoutMs: CHILD_TIMEOUT_MS });
  const ready = (await live.figures) as { url: string; pid: number; nodeId: string };
  return { live, port, ...ready };
}

/** A remote worker process serving the S1 activity, connected to `url`. */
export function startWorker(url: string): ChildProcess {
  return spawn(process.execPath, [...benchScript(WORKER), url, String(WORKER_SLOTS)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** SIGTERM (graceful), SIGKILL if it lingers. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** Resolves once `url` lists a worker of the bench queue. */
export async function workerRegistered(url: string, worker: ChildProcess): Promise<void> {
  const deadline = nowMs() + READY_TIMEOUT_MS;
  for (;;) {
    const { workers } = await getJson<{ workers: { taskQueue: string }[] }>(
      `${url}/api/v1/namespaces/default/workers`,
    );
    if (workers.some((w) => w.taskQueue === 'default')) return;
    if (worker.exitCode !== null || worker.signalCode !== null)
      throw new Error('worker process ended before registering');
    if (nowMs() > deadline) throw new Error(`no worker registered at ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface ClusterStatus {
  readonly nodes: readonly { nodeId: string; ownedShards: number }[];
  readonly shards: readonly { owner: string | null; shards: number }[];
}

/** Resolves once every one of `nodes` holds shards and they hold all 64 between them. */
export async function spread(nodes: readonly NodeProcess[]): Promise<void> {
  const deadline = nowMs() + READY_TIMEOUT_MS;
  const ids = new Set(nodes.map((n) => n.nodeId));
  for (;;) {
    const status = await getJson<ClusterStatus>(`${nodes[0]!.url}/api/v1/cluster`);
    const owners = status.nodes.filter((n) => ids.has(n.nodeId) && n.ownedShards > 0);
    const held = status.shards
      .filter((g) => g.owner !== null && ids.has(g.owner))
      .reduce((sum, g) => sum + g.shards, 0);
    if (owners.length === nodes.length && held === 64) return;
    if (nowMs() > deadline)
      throw new Error(`shards not spread over ${nodes.length} nodes: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
