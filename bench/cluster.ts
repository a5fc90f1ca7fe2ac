// Cluster benchmark (`npm run bench -- cluster`): servers in cluster mode on one PostgreSQL.
// Every process is a child: server nodes (cluster-node.ts), one remote worker process per node
// (server-worker.ts) and one client process (cluster-client.ts) starting workflows on the
// nodes in turn. Each phase has a fresh schema in AION_TEST_PG's database, dropped afterwards.
//   1. S1 throughput over 1, 2 and 3 cluster nodes, and the floor: the same S1 over one
//      server not in cluster mode on PostgreSQL. One line per phase (workflows/s, p50/p99
//      workflow latency, where the CPU went: PostgreSQL backends, other PostgreSQL
//      processes, the bench's processes, the machine; commits/s; what the backends were
//      doing, sampled from pg_stat_activity), then one line of ratios naming the first phase
//      the database bounded, if any.
//   2. Failover under load (cluster-failover.ts): 3 nodes, kill -9 one, restart it, again;
//      then rounds that freeze a node with SIGSTOP instead (its leases must expire: what a
//      machine cut off looks like, where a killed process on this machine is seen gone).
//   AION_BENCH_CLUSTER_WORKFLOWS     workflows of each throughput phase (default 600; 0 skips them)
//   AION_BENCH_CLUSTER_CONCURRENCY   workflows in flight in the throughput phases (default 100)
//   AION_BENCH_CLUSTER_NODES         node counts of the throughput phases (default 1,2,3)
//   AION_BENCH_CLUSTER_KILLS         kill -9 rounds of the failover phase (default 5)
//   AION_BENCH_CLUSTER_FREEZES       SIGSTOP rounds after them (default 2; with no kills either,
//                                    the failover phase is skipped)
//   AION_BENCH_CLUSTER_LOAD_CONCURRENCY  workflows in flight during failover (default 64)
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.js';
import { cpuFigures, sampleCpu, type CpuFigures } from './cluster-cpu.js';
import { failoverBench } from './cluster-failover.js';
import { PgWaitSampler, type PgWaits } from './cluster-pg-waits.js';
import {
  CHILD_TIMEOUT_MS,
  dropSchema,
  freshSchema,
  MEASURING,
  printed,
  spread,
  startNode,
  startWorker,
  stopProcess,
  workerRegistered,
  type NodeProcess,
} from './cluster-topology.js';
import type { Figures } from './engine-scenarios.js';
import { round, type Emit } from './lib.js';

const CLIENT = fileURLToPath(new URL('./cluster-client.ts', import.meta.url));
const env = (name: string, fallback: number): number =>
  Number.parseInt(process.env[name] ?? String(fallback), 10);
const WORKFLOWS = env('AION_BENCH_CLUSTER_WORKFLOWS', 600);
const CONCURRENCY = env('AION_BENCH_CLUSTER_CONCURRENCY', 100);
const NODE_COUNTS = (process.env.AION_BENCH_CLUSTER_NODES ?? '1,2,3')
  .split(',')
  .map((s) => Number.parseInt(s, 10));
const KILLS = env('AION_BENCH_CLUSTER_KILLS', 5);
const FREEZES = env('AION_BENCH_CLUSTER_FREEZES', 2);
const LOAD_CONCURRENCY = env('AION_BENCH_CLUSTER_LOAD_CONCURRENCY', 64);

const num = (f: Figures, key: string): number => {
  const v = f[key];
  if (typeof v !== 'number') throw new Error(`figure ${key} missing`);
  return v;
};

/**
 * Whether the database bounded a phase: PostgreSQL's processes took at least half of the busy
 * CPU of the machine, or the nodes' backends were working (on CPU, a lock or I/O, rather than
 * waiting for their Aion process) at least half of the sampled time.
 */
function databaseBound(cpu: CpuFigures, waits: PgWaits): boolean {
  const pgCores = cpu.postgresBackendCores + cpu.postgresOtherCores;
  return pgCores >= 0.5 * cpu.machineBusyCores || waits.working >= 0.5;
}

/** What bounded a phase, in words, from the figures that decide it. */
function bottleneck(cpu: CpuFigures, waits: PgWaits): string {
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const pgCores = round(cpu.postgresBackendCores + cpu.postgresOtherCores, 2);
  const machine =
    cpu.machineBusyCores >= 0.9 * cpu.cores
      ? `machine CPU saturated (${cpu.machineBusyCores}/${cpu.cores} cores busy: Aion ${cpu.aionCores}, PostgreSQL ${pgCores}, other tenants ${cpu.otherCores})`
      : `machine not saturated (${cpu.machineBusyCores}/${cpu.cores} cores busy)`;
  const db = `PostgreSQL backends working ${pct(waits.working)} of sampled time, waiting for their Aion process inside a transaction ${pct(waits.clientInTransaction)}`;
  return `${databaseBound(cpu, waits) ? 'database' : 'not the database'}: ${machine}; ${db}`;
}

/** One throughput phase: `count` nodes in `mode` on a fresh schema, one worker each. */
async function throughputPhase(mode: 'cluster' | 'single', count: number): Promise<Figures> {
  const schema = freshSchema('bench_cluster');
  const nodes: NodeProcess[] = [];
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(schema, mode, 0));
    await spread(nodes);
    for (const node of nodes) {
      const worker = startWorker(node.url);
      workers.push(worker);
      await workerRegistered(node.url, worker);
    }
    const client = startChild(
      CLIENT,
      ['throughput', nodes.map((n) => n.url).join(','), String(WORKFLOWS), String(CONCURRENCY)],
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    const pids = [...nodes.map((n) => n.pid), ...workers.map((w) => w.pid!), client.child.pid!];
    await printed(client.child, MEASURING);
    const before = await sampleCpu(schema, pids);
    const sampler = await PgWaitSampler.start(schema);
    const figures = await client.figures;
    const waits = await sampler.stop();
    const cpu = cpuFigures(before, await sampleCpu(schema, pids));
    await client.exited;
    return {
      ...figures,
      cpu,
      pgBackends: waits,
      pgCommitsPerWorkflow: round(cpu.pgCommitsPerSec / num(figures, 'workflowsPerSec'), 1),
      databaseBound: databaseBound(cpu, waits),
      bottleneck: bottleneck(cpu, waits),
    };
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w)));
    await Promise.all(nodes.map((n) => stopProcess(n.live.child)));
    await dropSchema(schema).catch(() => undefined);
  }
}

function ratio(a: Figures | undefined, b: Figures | undefined): number | null {
  return a && b ? round(num(a, 'workflowsPerSec') / num(b, 'workflowsPerSec'), 3) : null;
}

async function throughputBench(emit: Emit): Promise<void> {
  const topology =
    'one remote worker process per node; one client process starting workflows on the nodes in turn (HTTP on loopback); PostgreSQL on this machine';
  const measured = new Map<string, Figures>();
  const phases: { key: string; mode: 'cluster' | 'single'; count: number }[] = [
    { key: 'floor', mode: 'single', count: 1 },
    ...NODE_COUNTS.map((count) => ({ key: `${count}`, mode: 'cluster' as const, count })),
  ];
  for (const { key, mode, count } of phases) {
    const name =
      mode === 'single'
        ? `s1-single-server-postgres-${WORKFLOWS}`
        : `s1-cluster-${count}-node${count > 1 ? 's' : ''}-postgres-${WORKFLOWS}`;
    try {
      const figures = await throughputPhase(mode, count);
      measured.set(key, figures);
      emit({
        suite: 'cluster',
        name,
        mode,
        nodes: count,
        topology,
        ...figures,
        target: 'none (compare with the other phases of the same run)',
        met: null,
      });
    } catch (err) {
      emit({
        suite: 'cluster',
        name,
        mode,
        nodes: count,
        error: (err as Error).message,
        met: false,
      });
    }
  }
  const one = measured.get('1');
  const floor = measured.get('floor');
  emit({
    suite: 'cluster',
    name: `s1-cluster-scaling-postgres-${WORKFLOWS}`,
    ratios: {
      twoNodesVsOne: ratio(measured.get('2'), one),
      threeNodesVsOne: ratio(measured.get('3'), one),
      oneNodeVsSingleServer: ratio(one, floor),
      twoNodesVsSingleServer: ratio(measured.get('2'), floor),
      threeNodesVsSingleServer: ratio(measured.get('3'), floor),
    },
    databaseBecomesBottleneckAt:
      [...measured].find(([, f]) => f.databaseBound === true)?.[0] ??
      'not reached in these phases (see bottleneckByPhase)',
    bottleneckByPhase: Object.fromEntries([...measured].map(([k, f]) => [k, f.bottleneck])),
    pgCommitsPerWorkflowByPhase: Object.fromEntries(
      [...measured].map(([k, f]) => [k, f.pgCommitsPerWorkflow]),
    ),
    target: 'none (ratios measured in the same run)',
    met: null,
  });
}

export default async function clusterBench(emit: Emit): Promise<void> {
  if (WORKFLOWS > 0) await throughputBench(emit);
  if (KILLS + FREEZES > 0)
    await failoverBench(emit, { kills: KILLS, freezes: FREEZES, concurrency: LOAD_CONCURRENCY });
}
