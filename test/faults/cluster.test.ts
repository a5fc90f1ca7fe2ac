/**
 * Cluster mode under faults, with real processes on loopback: three `aion server --cluster`
 * nodes (from dist: `npm run build` first) on one private PostgreSQL, a remote activity worker
 * on each node, and the torture workload driven over HTTP through every node (a run's signals,
 * updates and result wait go through other nodes than the one that started it). Default
 * settings: lease ttl 5 s. Scenarios, in order, on the one cluster, each with its own workload:
 *   1. kill -9 of the node driving the most runs: failover (every shard held by a live node
 *      and a run of the dead node's shards moving on) within 10 s;
 *   2. SIGSTOP of a node past its lease ttl, then SIGCONT: its shards were taken, it writes
 *      nothing more for them, and it rejoins;
 *   3. rolling restart: each node drained (`aion cluster drain`), stopped once it holds no
 *      shard, and replaced, with no lease left to expire;
 *   4. a node joining under load takes a share of the shards;
 *   5. PostgreSQL restarted under load (`pg_ctl restart -m immediate`).
 * After each, the fault harness's invariants (torture/invariants.ts): nothing acknowledged
 * lost, no message or activity completion recorded twice, no activity run again after its
 * completion was recorded, one terminal event per run, every history replays, no process death.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import {
  checkInvariants,
  DEFAULT_PLAN,
  dumpStall,
  gatherEvidence,
  postgresDatabase,
  readLines,
  runWorkload,
  TORTURE_WORKFLOWS,
  WORKER_CHILD,
  type AckLine,
  type TrialDatabase,
  type WorkloadPlan,
} from '../../torture/index.js';
import { cli } from '../support/aion-process.js';
import { AionCluster, type ClusterNodeProcess } from '../support/aion-cluster.js';
import {
  canRunPrivatePostgres,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres.js';
import { waitFor } from '../support/wait.js';

const SHARDS = 64;
const FAILOVER_BOUND_MS = 10_000;
const dir = mkdtempSync(path.join(tmpdir(), 'aion-cluster-faults-'));
const effects = path.join(dir, 'effects.jsonl');

let postgres: PrivatePostgres;
let db: TrialDatabase;
let cluster: AionCluster;
let clients: Client[];
/** Reads the lease and run tables while the nodes run (the store is PostgreSQL's `aion` schema). */
let sql: pg.Pool;

beforeAll(async () => {
  if (!canRunPrivatePostgres()) return;
  postgres = await startPrivatePostgres();
  db = await postgresDatabase(postgres, 'cluster');
  sql = new pg.Pool({ connectionString: db.location, max: 2 });
  sql.on('error', () => undefined); // its sessions die with a PostgreSQL restart
  cluster = new AionCluster({
    storeUrl: db.location,
    workflowsPath: TORTURE_WORKFLOWS,
    dir,
    workerChild: WORKER_CHILD,
    env: { AION_TORTURE_EFFECTS: effects },
    ...(process.env.AION_CLUSTER_LOG_LEVEL ? { logLevel: process.env.AION_CLUSTER_LOG_LEVEL } : {}),
  });
  // The first node creates the schema; the others join it.
  await cluster.startNode(0);
  await Promise.all([cluster.startNode(1), cluster.startNode(2)]);
  for (const slot of [0, 1, 2]) await cluster.startWorker(slot);
  clients = await Promise.all(
    [0, 1, 2].map(
      async (slot) =>
        new Client({
          // Short, and one attempt (the workload retries through the other nodes): a call to
          // a frozen node fails over to the next node instead of hanging.
          connection: await Connection.connect({
            address: await cluster.address(slot),
            timeoutMs: 10_000,
            retry: false,
          }),
        }),
    ),
  );
  await waitFor(async () => (await spread()).every((n) => n > 0), {
    timeoutMs: 90_000,
    what: 'the shards spread over the three nodes',
  });
}, 240_000);

afterAll(async () => {
  await cluster?.shutdown();
  await sql?.end().catch(() => undefined);
  await postgres?.destroy();
  // AION_CLUSTER_KEEP=1 keeps the nodes' logs (stderr.log in each data directory) and journals.
  if (process.env.AION_CLUSTER_KEEP === '1') process.stdout.write(`kept: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
});

interface Lease {
  readonly shard: number;
  readonly owner: string | null;
  readonly live: boolean;
}

async function leases(): Promise<Lease[]> {
  const r = await sql.query<Lease>(
    `SELECT shard, owner, coalesce(lease_until > now(), false) AS live
       FROM aion.shard_leases ORDER BY shard`,
  );
  return r.rows;
}

/** True when every shard's lease is held, unexpired, by a node that is running. */
async function allHeldByLiveNodes(): Promise<boolean> {
  const live = new Set(cluster.live().map((n) => n.nodeId));
  const rows = await leases();
  return rows.length === SHARDS && rows.every((l) => l.live && live.has(l.owner ?? ''));
}

/** Shards held by each running node, once every shard is held by one of them (else zeros). */
async function spread(): Promise<number[]> {
  const rows = await leases();
  const nodes = cluster.live();
  if (!(await allHeldByLiveNodes())) return nodes.map(() => 0);
  return nodes.map((n) => rows.filter((l) => l.owner === n.nodeId).length);
}

const shardsOf = async (nodeId: string): Promise<number[]> =>
  (await leases()).filter((l) => l.owner === nodeId).map((l) => l.shard);

/** The running node whose shards carry the most open runs of a workload. */
async function busiestNode(prefix: string): Promise<ClusterNodeProcess> {
  const r = await sql.query<{ owner: string }>(
    `SELECT l.owner FROM aion.runs r JOIN aion.shard_leases l ON l.shard = r.shard
      WHERE r.close_time IS NULL AND r.workflow_id LIKE $1 AND l.owner IS NOT NULL
      GROUP BY l.owner ORDER BY count(*) DESC`,
    [`${prefix}%`],
  );
  const node = cluster.live().find((n) => n.nodeId === r.rows[0]?.owner);
  if (node === undefined) throw new Error(`no running node drives an open run of ${prefix}`);
  return node;
}

/** Open runs on `shards` with their history length. */
async function openRunsOn(shards: readonly number[]): Promise<Map<string, number>> {
  const r = await sql.query<{ run_id: string; head_seq: string }>(
    `SELECT run_id, head_seq FROM aion.runs WHERE close_time IS NULL AND shard = ANY($1::int[])`,
    [shards],
  );
  return new Map(r.rows.map((row) => [row.run_id, Number(row.head_seq)]));
}

/** True once one of `before`'s runs recorded more events (or closed). */
async function movedOn(before: ReadonlyMap<string, number>): Promise<boolean> {
  const r = await sql.query<{ run_id: string; head_seq: string }>(
    `SELECT run_id, head_seq FROM aion.runs WHERE run_id = ANY($1::text[])`,
    [[...before.keys()]],
  );
  return r.rows.some((row) => Number(row.head_seq) > before.get(row.run_id)!);
}

const metric = async (node: ClusterNodeProcess, name: string): Promise<number> => {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
};

const alive = (node: ClusterNodeProcess): boolean =>
  node.proc.child.exitCode === null && node.proc.child.signalCode === null;

interface Load {
  readonly prefix: string;
  readonly acks: string;
  readonly workflows: number;
  readonly done: Promise<boolean>;
}

/** Starts a workload of `workflows` runs with ids `<prefix><i>`, acknowledgements in `acks`. */
function startLoad(prefix: string, workflows: number, acks: string): Load {
  const plan: WorkloadPlan = {
    ...DEFAULT_PLAN,
    prefix,
    workflows,
    signals: 2,
    updates: 2,
    sleepMs: 1000,
    spreadMs: 2000,
    gapMs: 300,
    deadlineMs: 150_000,
  };
  return { prefix, acks, workflows, done: runWorkload(clients, plan, acks) };
}

const ackedStarts = (load: Load): number =>
  readLines<AckLine>(load.acks).filter(
    (a) => a.op === 'start' && a.workflowId.startsWith(load.prefix),
  ).length;

async function startsAcked(load: Load, n: number): Promise<void> {
  await waitFor(() => ackedStarts(load) >= n, { timeoutMs: 90_000, what: `${n} starts` });
}

/**
 * Waits for the loads (sharing one ack file) to finish, then checks the invariants over their
 * workflows; `deathsBefore` deaths happened in earlier scenarios.
 */
async function verify(loads: readonly Load[], deathsBefore: number): Promise<void> {
  const finished = await Promise.all(loads.map((l) => l.done));
  const stall = finished.every(Boolean)
    ? undefined
    : await dumpStall(db, path.join(dir, 'stall.json'));
  const mine = (id: string): boolean => loads.some((l) => id.startsWith(l.prefix));
  const evidence = await gatherEvidence(db, { acks: loads[0]!.acks, effects }, mine);
  const verdict = checkInvariants({
    ...evidence,
    deaths: cluster.deaths.slice(deathsBefore),
    ...(stall === undefined ? {} : { unfinished: stall }),
  });
  process.stdout.write(`${loads[0]!.prefix} figures: ${JSON.stringify(verdict.figures)}\n`);
  expect(verdict.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
  expect(verdict.figures.results).toBe(loads.reduce((n, l) => n + l.workflows, 0));
}

describe.skipIf(!canRunPrivatePostgres())('cluster mode under faults (real processes)', () => {
  it('1. kill -9 of a node under load: its shards fail over within 10 s, nothing lost', async () => {
    const deaths = cluster.deaths.length;
    const load = startLoad('k-', 9, path.join(dir, 'k-acks.jsonl'));
    await startsAcked(load, 6);
    const victim = await busiestNode('k-');
    const shards = await shardsOf(victim.nodeId);
    const killedAt = Date.now();
    await cluster.kill(victim.slot);
    const runs = await openRunsOn(shards);
    expect(runs.size, 'open runs on the killed node\u2019s shards').toBeGreaterThan(0);
    let heldAt: number | undefined;
    let movedAt: number | undefined;
    await waitFor(
      async () => {
        heldAt ??= (await allHeldByLiveNodes()) ? Date.now() : undefined;
        movedAt ??= (await movedOn(runs)) ? Date.now() : undefined;
        return heldAt !== undefined && movedAt !== undefined;
      },
      { timeoutMs: 60_000, what: 'the killed node\u2019s shards to fail over', everyMs: 100 },
    );
    const failover = Math.max(heldAt!, movedAt!) - killedAt;
    process.stdout.write(
      `failover after kill -9 of node ${victim.slot} (${shards.length} shards, ${runs.size} open runs): ${failover} ms (shards held ${heldAt! - killedAt} ms, progress ${movedAt! - killedAt} ms)\n`,
    );
    expect(failover).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
    await cluster.startNode(victim.slot);
    await verify([load], deaths);
  }, 240_000);

  it('2. SIGSTOP past the lease ttl, then SIGCONT: the frozen node writes nothing it lost and rejoins', async () => {
    const deaths = cluster.deaths.length;
    const load = startLoad('s-', 9, path.join(dir, 's-acks.jsonl'));
    await startsAcked(load, 6);
    const frozen = await busiestNode('s-');
    const shards = await shardsOf(frozen.nodeId);
    cluster.signal(frozen.slot, 'SIGSTOP');
    try {
      // Its process exists, so the others wait its leases out (ttl), then take its shards.
      await waitFor(async () => (await shardsOf(frozen.nodeId)).length === 0, {
        timeoutMs: 60_000,
        what: 'the frozen node\u2019s shards taken over',
        everyMs: 200,
      });
      const owners = new Map((await leases()).map((l) => [l.shard, l.owner]));
      expect(shards.every((s) => owners.get(s) !== frozen.nodeId)).toBe(true);
    } finally {
      cluster.signal(frozen.slot, 'SIGCONT');
    }
    // Thawed, it learns from its next beat or fenced commit that it lost them.
    await waitFor(async () => (await metric(frozen, 'aion_lease_losses_total')) > 0, {
      timeoutMs: 60_000,
      what: 'the thawed node to count its lost leases',
    });
    await waitFor(
      async () => (await allHeldByLiveNodes()) && (await shardsOf(frozen.nodeId)).length > 0,
      { timeoutMs: 60_000, what: 'the thawed node to rejoin with a share of the shards' },
    );
    expect(alive(frozen)).toBe(true);
    await verify([load], deaths);
  }, 240_000);

  it('3. rolling restart: each node drained, stopped once it holds no shard, and replaced', async () => {
    const deaths = cluster.deaths.length;
    const acks = path.join(dir, 'r-acks.jsonl');
    const loads: Load[] = [];
    for (const slot of [0, 1, 2]) {
      const load = startLoad(`r${slot}-`, 5, acks);
      loads.push(load);
      await startsAcked(load, 2);
      const node = cluster.node(slot);
      const other = cluster.node((slot + 1) % 3);
      const lossesBefore = await metric(node, 'aion_lease_losses_total');
      const drained = await cli(['cluster', 'drain', node.nodeId, '--address', other.url]);
      expect(drained.code, drained.stderr).toBe(0);
      // Released by it, then claimed by the others: every shard held, none by it.
      await waitFor(
        async () => (await shardsOf(node.nodeId)).length === 0 && (await allHeldByLiveNodes()),
        { timeoutMs: 60_000, what: `node ${slot} to hand every shard off` },
      );
      // Handed off while it ran and renewed: none of its leases expired or was taken from it.
      expect(alive(node)).toBe(true);
      expect(await metric(node, 'aion_lease_losses_total')).toBe(lossesBefore);
      expect(await cluster.stop(slot)).toBe(0);
      const fresh = await cluster.startNode(slot);
      await waitFor(async () => (await shardsOf(fresh.nodeId)).length > 0, {
        timeoutMs: 60_000,
        what: `the new node ${slot} to take a share`,
      });
    }
    await verify(loads, deaths);
  }, 300_000);

  it('4. a node joining under load takes a share of the shards', async () => {
    const deaths = cluster.deaths.length;
    const load = startLoad('j-', 9, path.join(dir, 'j-acks.jsonl'));
    await startsAcked(load, 3);
    const joined = await cluster.startNode(3);
    await waitFor(
      async () => (await shardsOf(joined.nodeId)).length > 0 && (await allHeldByLiveNodes()),
      { timeoutMs: 60_000, what: 'the joined node to take a share of the shards' },
    );
    const share = (await shardsOf(joined.nodeId)).length;
    process.stdout.write(`joined node took ${share} of ${SHARDS} shards\n`);
    expect(share).toBeGreaterThan(0);
    await load.done;
    // It leaves gracefully: its shards go back to the three.
    expect(await cluster.stop(3)).toBe(0);
    await waitFor(allHeldByLiveNodes, { timeoutMs: 60_000, what: 'the three to hold every shard' });
    await verify([load], deaths);
  }, 240_000);

  it('5. PostgreSQL restarted under load: work resumes, nothing lost', async () => {
    const deaths = cluster.deaths.length;
    const load = startLoad('p-', 9, path.join(dir, 'p-acks.jsonl'));
    await startsAcked(load, 4);
    await postgres.restartImmediate();
    await verify([load], deaths);
    await waitFor(allHeldByLiveNodes, { timeoutMs: 60_000, what: 'every shard held again' });
  }, 240_000);
});
