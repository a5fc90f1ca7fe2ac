// Where the CPU of a cluster benchmark phase went, from /proc (Linux): the PostgreSQL backends
// serving the phase's nodes (found by the application_name each node records in the schema's
// nodes table), PostgreSQL's other processes on this machine (WAL writer, checkpointer, other
// clients of the server), the bench's own processes, and the whole machine; plus the
// database's commits from pg_stat_database. A phase's figures are differences of two samples.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { PG_URL } from './engine-common.js';
import { nowMs, round } from './lib.js';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;

type ProcessKind = 'aion' | 'backend' | 'postgres';

export interface CpuSample {
  readonly atMs: number;
  /** CPU seconds by PID (the PostgreSQL processes and the given ones). */
  readonly byPid: ReadonlyMap<number, { seconds: number; kind: ProcessKind }>;
  /** Busy and total CPU seconds of the machine (all cores). */
  readonly machineBusy: number;
  readonly machineTotal: number;
  readonly xactCommit: number;
}

/** A process's command name and CPU seconds (user + system) so far; undefined once it is gone. */
export function procStat(pid: number): { comm: string; seconds: number } | undefined {
  return statFile(`/proc/${pid}/stat`);
}

/**
 * The same of one thread of this process (`/proc/<tid>/stat` would give its whole process).
 */
export function taskStat(tid: number): { comm: string; seconds: number } | undefined {
  return statFile(`/proc/self/task/${tid}/stat`);
}

function statFile(file: string): { comm: string; seconds: number } | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is the state (field 3): utime and stime are fields 14 and 15.
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return undefined; // gone meanwhile
  }
}

function machineTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

/** The database's commits so far, and the PIDs of the backends serving `schema`'s nodes. */
async function database(schema: string): Promise<{ commits: number; backends: Set<number> }> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const commits = await client.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    const backends = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE application_name IN (SELECT app_name FROM "${schema}".nodes)`,
    );
    return {
      commits: Number(commits.rows[0]?.n ?? 0),
      backends: new Set(backends.rows.map((r) => r.pid)),
    };
  } finally {
    await client.end();
  }
}

/** Samples the PostgreSQL processes, `pids` (the bench's processes) and the machine. */
export async function sampleCpu(schema: string, pids: readonly number[]): Promise<CpuSample> {
  const db = await database(schema);
  const byPid = new Map<number, { seconds: number; kind: ProcessKind }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (!stat) continue;
    if (pids.includes(pid)) byPid.set(pid, { seconds: stat.seconds, kind: 'aion' });
    else if (stat.comm === 'postgres')
      byPid.set(pid, {
        seconds: stat.seconds,
        kind: db.backends.has(pid) ? 'backend' : 'postgres',
      });
  }
  const machine = machineTimes();
  return {
    atMs: nowMs(),
    byPid,
    machineBusy: machine.busy,
    machineTotal: machine.total,
    xactCommit: db.commits,
  };
}

export interface CpuFigures {
  /** Cores used on average over the phase by the PostgreSQL backends serving the nodes. */
  readonly postgresBackendCores: number;
  /** … by PostgreSQL's other processes (WAL writer, checkpointer, other clients). */
  readonly postgresOtherCores: number;
  /** Cores used by the bench's nodes, workers and client. */
  readonly aionCores: number;
  /** Busy cores of the whole machine (other tenants included). */
  readonly machineBusyCores: number;
  /** Busy cores not accounted for above: other tenants of the machine. */
  readonly otherCores: number;
  readonly cores: number;
  /** The nodes' backends' share of the machine's busy CPU. */
  readonly postgresBackendShareOfBusy: number;
  readonly pgCommitsPerSec: number;
}

/** The phase between two samples. Processes that began during the phase count from zero. */
export function cpuFigures(before: CpuSample, after: CpuSample): CpuFigures {
  const seconds = (after.atMs - before.atMs) / 1000;
  const used = { aion: 0, backend: 0, postgres: 0 };
  for (const [pid, now] of after.byPid) {
    // A backend is counted once its node's row names it (the later sample decides).
    used[now.kind] += now.seconds - (before.byPid.get(pid)?.seconds ?? 0);
  }
  const busy = after.machineBusy - before.machineBusy;
  const cores = os.cpus().length;
  const busyCores = (busy / (after.machineTotal - before.machineTotal)) * cores;
  return {
    postgresBackendCores: round(used.backend / seconds, 2),
    postgresOtherCores: round(used.postgres / seconds, 2),
    aionCores: round(used.aion / seconds, 2),
    machineBusyCores: round(busyCores, 2),
    otherCores: round(
      Math.max(0, busyCores - (used.aion + used.backend + used.postgres) / seconds),
      2,
    ),
    cores,
    postgresBackendShareOfBusy: round(used.backend / Math.max(busy, 1e-9), 2),
    pgCommitsPerSec: round((after.xactCommit - before.xactCommit) / seconds, 0),
  };
}
