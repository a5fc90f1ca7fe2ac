// Failover phase of the cluster benchmark: 3 nodes in cluster mode under S1 load (the client's
// load mode keeps every shard busy), default lease ttl unless AION_LEASE_TTL_MS says
// otherwise. Each round kills one node with SIGKILL (then, in the freeze rounds, stops it with
// SIGSTOP: its process stays, so the survivors must wait for its leases to expire, as for a
// machine cut off; a killed process on this machine is seen gone at once) and measures:
//   allShardsHeldMs   until every shard's lease is held, unexpired, by a live node (polled
//                     from shard_leases every POLL_MS);
//   progressMs        until every shard the killed node held with open runs at the kill has an
//                     event recorded after the kill (its first recorded_at per shard, from the engine that wrote it; the
//                     round waits until each of them has also closed a run, which is reported
//                     as allFormerShardsClosedARunMs);
//   failoverMs        the later of the two;
// then kills it if frozen and restarts it on the same port (its worker and the client
// reconnect) and waits until the shards are spread over 3 nodes again. After the last round the load stops and every run
// it started must close: lost (given up by the client) or stuck (still open) work is reported.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startChild } from './child.js';
import {
  CHILD_TIMEOUT_MS,
  dropSchema,
  freePort,
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
import { PG_URL } from './engine-common.js';
import { percentile, round, type Emit } from './lib.js';

const CLIENT = fileURLToPath(new URL('./cluster-client.ts', import.meta.url));
const NODES = 3;
const POLL_MS = 100;
/** A round that has not recovered after this long is reported as stuck. */
const ROUND_TIMEOUT_MS = 60_000;
const WARM_MS = 3_000;
const SETTLE_MS = 1_000;
const DRAIN_TIMEOUT_MS = 90_000;
const TARGET_MS = 10_000;
/** The victim may still record a close in the instant the signal takes to land. */
const KILL_SLACK_MS = 20;

type Signal = 'SIGKILL' | 'SIGSTOP';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Round {
  readonly victim: string;
  readonly killedAt: string;
  readonly formerShards: number;
  /** Those with open runs at the kill: where progress is awaited. */
  readonly formerShardsWithOpenRuns: number;
  readonly allShardsHeldMs: number | null;
  readonly progressMs: number | null;
  readonly failoverMs: number | null;
  /** Medians over the former shards of their first event and first run closed after the kill. */
  readonly firstEventP50Ms: number | null;
  readonly firstCloseP50Ms: number | null;
  /** Until every former shard has closed a run after the kill (a whole workflow's progress). */
  readonly allFormerShardsClosedARunMs: number | null;
  /** The former shard whose first event came last: when it was held again, its first event and close. */
  readonly slowestShard?: {
    shard: number;
    heldMs: number | null;
    firstEventMs: number;
    firstCloseMs: number | null;
  };
  readonly shardsWithoutProgress?: readonly number[];
  readonly leases?: unknown;
}

/** What one poll of a round saw, kept across polls. */
interface Watch {
  /** When each shard was first seen held, unexpired, by a live node. */
  readonly heldAt: Map<number, number>;
  /** The first close_time after the kill of each former shard. */
  firstClose: Map<number, number>;
}

async function poll(
  db: pg.Client,
  s: string,
  killedAt: number,
  live: readonly string[],
  former: readonly number[],
  watch: Watch,
): Promise<void> {
  if (watch.heldAt.size < 64) {
    const { rows } = await db.query<{ shard: number }>(
      `SELECT shard FROM ${s}.shard_leases WHERE owner = ANY($1) AND lease_until > now()`,
      [live],
    );
    const now = Date.now();
    for (const { shard } of rows) if (!watch.heldAt.has(shard)) watch.heldAt.set(shard, now);
  }
  if (watch.firstClose.size < former.length) {
    const { rows } = await db.query<{ shard: number; first: string }>(
      `SELECT shard, min(close_time) AS first FROM ${s}.runs
        WHERE namespace = 'default' AND close_time > $1 AND shard = ANY($2) GROUP BY shard`,
      [killedAt + KILL_SLACK_MS, former],
    );
    watch.firstClose = new Map(rows.map((r) => [r.shard, Number(r.first)]));
  }
}

/**
 * The first event recorded after the kill on each of `former` (read once, after the round:
 * the events table has no shard column, so this scans what the round wrote).
 */
async function firstEvents(
  db: pg.Client,
  s: string,
  killedAt: number,
  former: readonly number[],
): Promise<Map<number, number>> {
  const { rows } = await db.query<{ shard: number; first: string }>(
    `SELECT r.shard, min(e.recorded_at) AS first
       FROM ${s}.events e JOIN ${s}.runs r USING (namespace, run_id)
      WHERE e.recorded_at > $1 AND r.shard = ANY($2) GROUP BY r.shard`,
    [killedAt + KILL_SLACK_MS, former],
  );
  return new Map(rows.map((r) => [r.shard, Number(r.first)]));
}

/** Kills `victim` and watches the shards until they are held by live nodes and progressing. */
async function killAndWatch(
  db: pg.Client,
  schema: string,
  victim: NodeProcess,
  survivors: readonly NodeProcess[],
  how: Signal,
): Promise<Round> {
  const s = `"${schema}"`;
  const held = (
    await db.query<{ shard: number }>(`SELECT shard FROM ${s}.shard_leases WHERE owner = $1`, [
      victim.nodeId,
    ])
  ).rows.map((r) => r.shard);
  // Progress is awaited where there is work to resume: the victim's shards with open runs.
  const former = (
    await db.query<{ shard: number }>(
      `SELECT DISTINCT shard FROM ${s}.runs WHERE close_time IS NULL AND shard = ANY($1)`,
      [held],
    )
  ).rows.map((r) => r.shard);
  const live = survivors.map((n) => n.nodeId);
  const watch: Watch = { heldAt: new Map(), firstClose: new Map() };
  const killedAt = Date.now();
  victim.live.child.kill(how);
  const done = (): boolean => watch.heldAt.size === 64 && watch.firstClose.size === former.length;
  while (!done() && Date.now() - killedAt < ROUND_TIMEOUT_MS) {
    await poll(db, s, killedAt, live, former, watch);
    if (!done()) await sleep(POLL_MS);
  }
  const latest = (m: Map<number, number>, size: number): number | null =>
    m.size === size ? Math.max(killedAt, ...m.values()) - killedAt : null;
  const events = await firstEvents(db, s, killedAt, former);
  const allHeld = latest(watch.heldAt, 64);
  const progress = latest(events, former.length);
  const median = (m: Map<number, number>): number | null =>
    m.size > 0 ? percentile([...m.values()], 50) - killedAt : null;
  const slowest = [...events].sort((x, y) => y[1] - x[1])[0];
  const since = (t: number | undefined): number | null => (t === undefined ? null : t - killedAt);
  const round: Round = {
    victim: victim.nodeId,
    killedAt: new Date(killedAt).toISOString(),
    formerShards: held.length,
    formerShardsWithOpenRuns: former.length,
    allShardsHeldMs: allHeld,
    progressMs: progress,
    failoverMs: allHeld !== null && progress !== null ? Math.max(allHeld, progress) : null,
    firstEventP50Ms: median(events),
    firstCloseP50Ms: median(watch.firstClose),
    allFormerShardsClosedARunMs: latest(watch.firstClose, former.length),
    ...(slowest && {
      slowestShard: {
        shard: slowest[0],
        heldMs: since(watch.heldAt.get(slowest[0])),
        firstEventMs: slowest[1] - killedAt,
        firstCloseMs: since(watch.firstClose.get(slowest[0])),
      },
    }),
  };
  if (round.failoverMs !== null) return round;
  const leases = await db.query(
    `SELECT owner, count(*)::int AS shards, bool_and(lease_until > now()) AS live
       FROM ${s}.shard_leases GROUP BY owner`,
  );
  return {
    ...round,
    shardsWithoutProgress: former.filter((shard) => !events.has(shard)),
    leases: leases.rows,
  };
}

/** Waits until no run of the schema is open; resolves with how many still are at the end. */
async function drained(db: pg.Client, schema: string): Promise<{ open: number; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const { rows } = await db.query<{ open: string }>(
      `SELECT count(*) AS open FROM "${schema}".runs WHERE close_time IS NULL`,
    );
    const open = Number(rows[0]!.open);
    if (open === 0 || Date.now() - t0 > DRAIN_TIMEOUT_MS) return { open, ms: Date.now() - t0 };
    await sleep(250);
  }
}

/** The summary of rounds of one kind. */
function summary(rounds: readonly Round[]): Figures {
  const p50 = (pick: (r: Round) => number | null): number =>
    round(
      percentile(
        rounds.map((r) => pick(r) ?? Infinity),
        50,
      ),
      0,
    );
  const ok = rounds.every((r) => r.failoverMs !== null);
  return {
    failoverP50Ms: ok ? p50((r) => r.failoverMs) : null,
    failoverMaxMs: ok ? Math.max(...rounds.map((r) => r.failoverMs!)) : null,
    allShardsHeldP50Ms: p50((r) => r.allShardsHeldMs),
    progressP50Ms: p50((r) => r.progressMs),
    allFormerShardsClosedARunMaxMs: Math.max(
      ...rounds.map((r) => r.allFormerShardsClosedARunMs ?? Infinity),
    ),
    rounds,
  };
}

interface Measured {
  readonly killed: Figures;
  readonly frozen: Figures;
  readonly load: Figures;
}

/** Runs the load, kills (then freezes) the nodes in turn, restarting each; then drains. */
async function measure(
  schema: string,
  db: pg.Client,
  nodes: NodeProcess[],
  options: FailoverOptions,
): Promise<Measured> {
  const ports = nodes.map((n) => n.port);
  const load = startChild(
    CLIENT,
    ['load', nodes.map((n) => n.url).join(','), String(options.concurrency)],
    { timeoutMs: CHILD_TIMEOUT_MS },
  );
  await printed(load.child, MEASURING);
  await sleep(WARM_MS);
  const rounds: { how: Signal; round: Round }[] = [];
  const plan: Signal[] = [
    ...Array<Signal>(options.kills).fill('SIGKILL'),
    ...Array<Signal>(options.freezes).fill('SIGSTOP'),
  ];
  for (const [k, how] of plan.entries()) {
    const i = k % NODES;
    const survivors = nodes.filter((_, j) => j !== i);
    rounds.push({ how, round: await killAndWatch(db, schema, nodes[i]!, survivors, how) });
    nodes[i]!.live.child.kill('SIGKILL'); // a frozen node ends here
    await nodes[i]!.live.exited;
    nodes[i] = await startNode(schema, 'cluster', ports[i]!);
    await spread(nodes);
    await sleep(SETTLE_MS);
  }
  load.child.kill('SIGTERM');
  const seen = await load.figures;
  const after = await drained(db, schema);
  const of = (how: Signal): Round[] => rounds.filter((r) => r.how === how).map((r) => r.round);
  return {
    killed: summary(of('SIGKILL')),
    frozen: summary(of('SIGSTOP')),
    load: {
      loadConcurrency: options.concurrency,
      load: seen,
      openRunsAfterLoad: after.open,
      drainAfterLoadMs: after.ms,
    },
  };
}

export interface FailoverOptions {
  readonly kills: number;
  /** Rounds that freeze the node (SIGSTOP) instead: its process stays, its leases expire. */
  readonly freezes: number;
  readonly concurrency: number;
}

export async function failoverBench(emit: Emit, options: FailoverOptions): Promise<void> {
  const names = {
    killed: `failover-3-nodes-kill-9-x${options.kills}`,
    frozen: `failover-3-nodes-sigstop-x${options.freezes}`,
  };
  const schema = freshSchema('bench_failover');
  const nodes: NodeProcess[] = [];
  const workers: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  try {
    for (let i = 0; i < NODES; i++)
      nodes.push(await startNode(schema, 'cluster', await freePort()));
    await spread(nodes);
    for (const node of nodes) {
      const worker = startWorker(node.url);
      workers.push(worker);
      await workerRegistered(node.url, worker);
    }
    const measured = await measure(schema, db, nodes, options);
    const { load } = measured;
    const clean = (load.load as { lost?: number }).lost === 0 && load.openRunsAfterLoad === 0;
    const leaseTtlMs = Number(process.env.AION_LEASE_TTL_MS ?? 5000);
    const emitted = (key: 'killed' | 'frozen', how: string, count: number): void => {
      if (count === 0) return;
      const max = measured[key].failoverMaxMs;
      emit({
        suite: 'cluster',
        name: names[key],
        how,
        rounds: count,
        leaseTtlMs,
        ...measured[key],
        ...load,
        target: `failover ≤ ${TARGET_MS} ms in every round; no lost or stuck work (whole load)`,
        met: typeof max === 'number' && max <= TARGET_MS && clean,
      });
    };
    emitted(
      'killed',
      'kill -9: the survivors see the process gone (same machine) and adopt at their next beat',
      options.kills,
    );
    emitted(
      'frozen',
      'SIGSTOP (as a machine cut off): the process stays, so its leases must expire first',
      options.freezes,
    );
  } catch (err) {
    emit({ suite: 'cluster', name: names.killed, error: (err as Error).message, met: false });
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w)));
    await Promise.all(nodes.map((n) => stopProcess(n.live.child)));
    await db.end();
    await dropSchema(schema).catch(() => undefined);
  }
}
