// Recovery benchmark (`npm run bench -- recovery`): 10,000 open runs (workflows waiting for a
// signal), the engine's process killed with SIGKILL, then a new engine on what it left. Each
// phase runs in a process of its own (recovery-child.ts): populate (then kill -9), the floor
// (every open run's history read straight from the store, in a fresh process), the engine's
// start-up on an empty store (the fixed part of the start-up) and recover: `readyMs`, the time
// until the engine is ready to serve (`createEngine` returned and a signal to an arbitrary
// open run, the middle one, was accepted: committed to its history), then until every run (up
// to 10,000; beyond, 10,000 spread evenly over them) answered a signal by completing, and until
// the engine is idle (its background sweep over the open runs done). The figures are judged as
// ratios to the floor measured in the same run, and the answering time also to the same
// answering by resident runs before the kill (the warm baseline). With 1,000,000 open runs
// (populating takes a long while and a few GB of disk) `readyMs` is judged against the goal:
// ready to serve in at most 10 s.
//   AION_BENCH_RECOVERY_RUNS    open runs (default 10000; 1000000 for the goal)
//   AION_BENCH_RECOVERY_STORES  stores, comma-separated (default sqlite,postgres; PostgreSQL at
//                               AION_TEST_PG, a fresh schema dropped afterwards)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runChild, startChild } from './child.js';
import { PG_URL } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';
import { round, type Emit } from './lib.js';

const CHILD = fileURLToPath(new URL('./recovery-child.ts', import.meta.url));
const RUNS = Number.parseInt(process.env.AION_BENCH_RECOVERY_RUNS ?? '10000', 10);
const STORES = (process.env.AION_BENCH_RECOVERY_STORES ?? 'sqlite,postgres').split(',');
const TIMEOUT_MS = RUNS > 100_000 ? 7_200_000 : 600_000;
/** The goal: ready to serve within 10 s of the start with 1,000,000 open runs. */
const GOAL_RUNS = 1_000_000;
const GOAL_READY_MS = 10_000;

/** Where a store kind's data lives for one run of the benchmark, and how to remove it. */
interface Place {
  /** The store the killed engine leaves behind. */
  readonly location: string;
  /** An empty store, for the start-up baseline. */
  readonly empty: string;
  dispose(): Promise<void>;
}

async function place(kind: string): Promise<Place> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-recovery-'));
    return {
      location: path.join(dir, 'aion.db'),
      empty: path.join(dir, 'empty.db'),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_recovery_${randomBytes(6).toString('hex')}`;
  return {
    location: schema,
    empty: `${schema}_empty`,
    dispose: async () => {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}_empty" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

const num = (f: Figures, key: string): number => {
  const v = f[key];
  if (typeof v !== 'number') throw new Error(`figure ${key} missing`);
  return v;
};

async function measure(kind: string, { location, empty }: Place): Promise<Figures> {
  const populate = startChild(CHILD, ['populate', kind, location, String(RUNS)], {
    timeoutMs: TIMEOUT_MS,
  });
  const populated = await populate.figures;
  populate.child.kill('SIGKILL');
  await populate.exited;
  const floor = await runChild(CHILD, ['floor', kind, location], { timeoutMs: TIMEOUT_MS });
  if (num(floor, 'openRuns') !== RUNS)
    throw new Error(`${num(floor, 'openRuns')} open runs after the kill, expected ${RUNS}`);
  const baseline = await runChild(CHILD, ['empty', kind, empty], { timeoutMs: TIMEOUT_MS });
  const recovered = await runChild(CHILD, ['recover', kind, location, String(RUNS)], {
    timeoutMs: TIMEOUT_MS,
  });
  const floorMs = num(floor, 'floorMs');
  return {
    ...populated,
    ...floor,
    ...baseline,
    ...recovered,
    ratios: {
      readyVsFloor: round(num(recovered, 'readyMs') / floorMs, 2),
      readyBeyondEmptyStartVsFloor: round(
        (num(recovered, 'readyMs') - num(baseline, 'emptyReadyMs')) / floorMs,
        2,
      ),
      allAnsweredVsFloor: round(num(recovered, 'allAnsweredMs') / floorMs, 2),
      answeringAfterRecoveryVsWarm: round(
        (num(recovered, 'allAnsweredMs') - num(recovered, 'readyMs')) /
          num(populated, 'warmAllAnsweredMs'),
        2,
      ),
    },
  };
}

export default async function recoveryBench(emit: Emit): Promise<void> {
  for (const kind of STORES) {
    const name = `recovery-${kind}-${RUNS}-open-runs-after-kill-9`;
    const where = await place(kind);
    try {
      const figures = await measure(kind, where);
      const readyMs = num(figures, 'readyMs');
      const judged = RUNS >= GOAL_RUNS;
      emit({
        suite: 'recovery',
        name,
        store: kind,
        runs: RUNS,
        ...figures,
        value: readyMs,
        target: judged
          ? `readyMs <= ${GOAL_READY_MS} with ${RUNS} open runs; ratios to the floor`
          : 'none (ratios to the floor: every open history read from the store)',
        met: judged ? readyMs <= GOAL_READY_MS : null,
      });
    } catch (err) {
      emit({ suite: 'recovery', name, error: (err as Error).message, met: false });
    } finally {
      await where.dispose().catch(() => undefined);
    }
  }
}
