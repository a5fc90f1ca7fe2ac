// One seed, start to finish: the world and its first engine, the workload, the scheduler loop
// (settle, crash and restart, or move virtual time to the next timer), then the evidence and
// the shared invariant checker's verdict, with a hash of everything that happened.
import { createHash } from 'node:crypto';
import { historyExport, type HistoryEvent } from '../src/core/index.js';
import { buildPackage, type BuiltPackage } from '../src/package/index.js';
import { replayHistories } from '../src/testing/index.js';
import { readAllHistories, type RunHistory } from '../test/support/histories.js';
import { checkInvariants, type Verdict } from '../torture/invariants.js';
import { planOf, type SimPlan } from './plan.js';
import { runWorkload, type WorkloadStats } from './workload.js';
import { World } from './world.js';

const WORKFLOWS = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
/** Virtual time after which an unfinished workload is a liveness failure. */
const TIME_LIMIT_MS = 24 * 3600_000;
/** Clock steps after which an unfinished workload is a liveness failure. */
const STEP_LIMIT = 20_000;
/** Calm turns of the event loop that make the world quiescent. */
const CALM_TURNS = 3;

export interface SeedReport {
  readonly seed: number;
  readonly plan: SimPlan;
  readonly verdict: Verdict;
  /** Hash of the histories, acknowledgements, effects and injected faults. */
  readonly hash: string;
  readonly engines: number;
  readonly faults: World['faultCounts'];
  readonly steps: number;
  readonly virtualMs: number;
  readonly workload?: WorkloadStats;
  readonly histories: readonly RunHistory[];
}

let built: Promise<BuiltPackage> | undefined;
/** The simulation's workflow package, built once per process. */
export function simPackage(): Promise<BuiltPackage> {
  built ??= buildPackage({ workflowsPath: WORKFLOWS });
  return built;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the world run until nothing moves without the clock moving. */
async function settle(world: World): Promise<void> {
  let last = world.progress;
  let calm = 0;
  while (calm < CALM_TURNS) {
    await turn();
    if (world.progress === last) calm++;
    else {
      calm = 0;
      last = world.progress;
    }
  }
}

interface LoopOutcome {
  readonly steps: number;
  readonly unfinished?: string;
  readonly stats?: WorkloadStats;
}

/** The scheduler: quiescence, then a crash's restart or the next timer, until the workload ends. */
async function drive(world: World): Promise<LoopOutcome> {
  let outcome: { stats?: WorkloadStats; error?: string } | undefined;
  runWorkload(world).then(
    (stats) => (outcome = { stats }),
    (err: unknown) => (outcome = { error: String(err) }),
  );
  const start = world.clock.now();
  for (let steps = 0; ; steps++) {
    await settle(world);
    if (world.crashed) {
      await world.startEngine();
      continue;
    }
    if (outcome?.stats) return { steps, stats: outcome.stats };
    if (outcome?.error) return { steps, unfinished: outcome.error };
    if (steps >= STEP_LIMIT || world.clock.now() - start > TIME_LIMIT_MS)
      return { steps, unfinished: `still running after ${steps} steps` };
    if (!world.clock.runToNext()) return { steps, unfinished: 'nothing left to happen' };
    world.progress++;
  }
}

function hashOf(world: World, histories: readonly RunHistory[]): string {
  const h = createHash('sha256');
  for (const { run, events } of histories) h.update(JSON.stringify([run, events]));
  h.update(JSON.stringify(world.acks));
  h.update(JSON.stringify(world.effects));
  return h.digest('hex').slice(0, 16);
}

/** Simulates one seed and checks every invariant. */
export async function runSeed(seed: number): Promise<SeedReport> {
  const plan = planOf(seed);
  const pkg = await simPackage();
  const world = new World(plan);
  await world.startEngine(pkg);
  const loop = await drive(world);
  world.crash(); // the last engine too: nothing may change the store while it is read
  const histories = await readAllHistories(world.store);
  const stuck = histories.flatMap((h) =>
    h.run.stuck ? [`${h.run.workflowId} stuck: ${h.run.stuck.reason}`] : [],
  );
  const replay = await replayHistories(
    histories.map((h) => historyExport(h.run, h.events)),
    pkg,
    { workflowRuntime: 'inline' },
  );
  const kinds = new Map(plan.workflows.map((w) => [w.id, w.kind]));
  const verdict = checkInvariants({
    histories,
    acks: world.acks,
    effects: world.effects,
    deaths: [],
    replay,
    ...(loop.unfinished !== undefined
      ? { unfinished: [loop.unfinished, ...stuck].join('; ') }
      : {}),
    completionTime: (run, done) =>
      (world.completions.get(`${run.runId}/${done.scheduledSeq}`) ?? Infinity) - 0.5,
    allowedEnds: (workflowId): HistoryEvent['type'][] => {
      const kind = kinds.get(workflowId.split('/')[0]!);
      if (kind === 'chained') return ['WorkflowContinuedAsNew', 'WorkflowCompleted'];
      if (kind === 'cancellable') return ['WorkflowCancelled', 'WorkflowCompleted'];
      return ['WorkflowCompleted'];
    },
  });
  return {
    seed,
    plan,
    verdict,
    hash: hashOf(world, histories),
    engines: world.generations,
    faults: world.faultCounts,
    steps: loop.steps,
    virtualMs: world.clock.now() - Date.UTC(2026, 0, 1),
    ...(loop.stats ? { workload: loop.stats } : {}),
    histories,
  };
}
