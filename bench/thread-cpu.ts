// CPU time of this process by thread (Linux /proc): its main thread, the threads started with
// the engine (the workflow thread; libuv's pool too, idle in these scenarios), and the threads
// that were there before it — V8's platform workers, which do the parallel part of young-
// generation collections, concurrent marking and background compilation. Elsewhere: empty.
import { readdirSync } from 'node:fs';
import { taskStat } from './cluster-cpu.js';

/** CPU seconds (user + system) of every thread of this process, by thread id. */
export function threadTimes(): Map<number, number> {
  const times = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return times; // not Linux
  }
  for (const tid of tids) {
    const stat = taskStat(Number(tid));
    if (stat !== undefined) times.set(Number(tid), stat.seconds);
  }
  return times;
}

export interface ThreadCpuSplit {
  readonly main: number;
  readonly engine: number;
  readonly other: number;
}

/**
 * The CPU seconds spent between two {@link threadTimes} snapshots, split into the main thread,
 * threads absent from `beforeEngine` (started with the engine) and the rest. Undefined when
 * the platform has no per-thread times.
 */
export function splitThreadCpu(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  beforeEngine: ReadonlySet<number>,
): ThreadCpuSplit | undefined {
  if (after.size === 0) return undefined;
  let main = 0;
  let engine = 0;
  let other = 0;
  for (const [tid, seconds] of after) {
    const spent = seconds - (before.get(tid) ?? 0);
    if (tid === process.pid) main += spent;
    else if (beforeEngine.has(tid)) other += spent;
    else engine += spent;
  }
  return { main, engine, other };
}
