// Client process of the cluster benchmark (`npm run bench -- cluster`), through the remote
// client SDK, one connection per node:
//   node --import tsx --import ./bench/compiled-engine.mjs bench/cluster-client.ts throughput <url,url,…> <workflows> <concurrency>
//     S1 (`threeSteps`) with <concurrency> workflows in flight, each started on the next node
//     in turn and its result awaited there; prints the figures (RESULT_PREFIX) and exits.
//   node --import tsx --import ./bench/compiled-engine.mjs bench/cluster-client.ts load <url,url,…> <concurrency>
//     S1 without end while nodes are killed and restarted: workflow i gets an id on shard
//     i mod 64 (so every shard keeps getting work), a call that fails is retried on the next
//     node; on SIGTERM prints what it saw (RESULT_PREFIX) and exits.
import { Client, Connection } from '../src/client/remote.js';
import { shardOf } from '../src/store/index.js';
import { MEASURING } from './cluster-topology.js';
import { pool, RESULT_PREFIX } from './engine-common.js';
import { nowMs, percentile, round } from './lib.js';

const SHARDS = 64;
const RETRY_PAUSE_MS = 100;
/** A load workflow gives up after this long (counted as lost, not waited for). */
const GIVE_UP_MS = 120_000;
/**
 * A load call not answered this soon is tried on the next node, and its node avoided for
 * SUSPECT_MS: a frozen node accepts connections but never answers, and would otherwise hold
 * every workflow in flight until the connection's 30 s timeout. Retrying is safe: starts carry
 * a workflow id, result waits are reads.
 */
const CALL_TIMEOUT_MS = 5_000;
const SUSPECT_MS = 3_000;

const [mode, urlsArg, ...rest] = process.argv.slice(2);
const urls = (urlsArg ?? '').split(',').filter(Boolean);
if ((mode !== 'throughput' && mode !== 'load') || urls.length === 0) {
  process.stderr.write('usage: cluster-client.ts <throughput|load> <url,url,…> …\n');
  process.exit(2);
}
const int = (s: string | undefined, fallback: number): number =>
  s ? Number.parseInt(s, 10) : fallback;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const report = (figures: Record<string, unknown>): void => {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
};

// Every node answers when the client starts; a connection outlives its node's restarts (one
// HTTP request per call).
const clients = await Promise.all(
  urls.map(async (address) => new Client({ connection: await Connection.connect({ address }) })),
);

async function throughput(n: number, window: number): Promise<void> {
  for (let i = 0; i < 10 * urls.length; i++)
    await clients[i % urls.length]!.workflow.execute('threeSteps'); // warm-up
  const latencies: number[] = [];
  let wrong = 0;
  const cpuBefore = process.cpuUsage();
  process.stdout.write(`${MEASURING}\n`); // the parent samples CPU from here
  const t0 = nowMs();
  await pool(n, window, async (i) => {
    const t = nowMs();
    const handle = await clients[i % urls.length]!.workflow.start('threeSteps');
    if ((await handle.result()) !== 3) wrong++;
    latencies.push(nowMs() - t);
  });
  const seconds = (nowMs() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (wrong > 0) throw new Error(`${wrong} workflows returned a wrong result`);
  report({
    workflows: n,
    concurrency: window,
    seconds: round(seconds, 3),
    workflowsPerSec: round(n / seconds, 1),
    workflowP50Ms: round(percentile(latencies, 50), 1),
    workflowP99Ms: round(percentile(latencies, 99), 1),
    clientCpuSec: round((cpu.user + cpu.system) / 1e6, 2),
  });
}

/** `promise`, or a rejection after `ms` (the call itself is abandoned, not cancelled). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function load(window: number): Promise<void> {
  // A few hashes per id: cheap next to a workflow's round trips.
  const idOf = (i: number): string => {
    for (let k = 0; ; k++) {
      const id = `lw-${i}-${k}`;
      if (shardOf('default', id, SHARDS) === i % SHARDS) return id;
    }
  };
  const stats = { completed: 0, wrong: 0, lost: 0, retriedCalls: 0 };
  const latencies: number[] = [];
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    report({
      ...stats,
      concurrency: window,
      maxWorkflowMs: round(Math.max(0, ...latencies), 0),
      workflowP50Ms: round(percentile(latencies, 50), 1),
      workflowP99Ms: round(percentile(latencies, 99), 1),
    });
    process.exit(0);
  });
  const suspectUntil = urls.map(() => 0);
  /** The node of an attempt: the next in turn that is not suspect (if any is not). */
  const pick = (first: number, attempt: number): number => {
    for (let j = 0; j < urls.length; j++) {
      const n = (first + attempt + j) % urls.length;
      if (suspectUntil[n]! <= nowMs()) return n;
    }
    return (first + attempt) % urls.length;
  };
  /** Calls `call` on node `first`, then the next ones in turn, until it succeeds. */
  const onSomeNode = async <T>(first: number, call: (c: Client) => Promise<T>): Promise<T> => {
    const deadline = nowMs() + GIVE_UP_MS;
    for (let attempt = 0; ; attempt++) {
      const n = pick(first, attempt);
      try {
        return await withTimeout(call(clients[n]!), CALL_TIMEOUT_MS);
      } catch (err) {
        if ((err as { code?: string }).code === 'workflow_already_started') throw err;
        suspectUntil[n] = nowMs() + SUSPECT_MS;
        if (nowMs() > deadline) throw err;
        stats.retriedCalls++;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  };
  let next = 0;
  process.stdout.write(`${MEASURING}\n`); // the parent's rounds begin after this
  await pool(Number.MAX_SAFE_INTEGER, window, async () => {
    // SIGTERM reports and exits: start nothing more meanwhile.
    if (stopping) await new Promise<never>(() => undefined);
    const i = next++;
    const id = idOf(i);
    const t = nowMs();
    try {
      await onSomeNode(i, (c) => c.workflow.start('threeSteps', { workflowId: id })).catch(
        (err: unknown) => {
          // A start retried after its first attempt landed.
          if ((err as { code?: string }).code !== 'workflow_already_started') throw err;
        },
      );
      const result = await onSomeNode(i, (c) => c.workflow.getHandle(id).result());
      if (result !== 3) stats.wrong++;
      else stats.completed++;
      latencies.push(nowMs() - t);
    } catch {
      stats.lost++;
    }
  });
}

if (mode === 'throughput') await throughput(int(rest[0], 1000), int(rest[1], 100));
else await load(int(rest[0], 64));
