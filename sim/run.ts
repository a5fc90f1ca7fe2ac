// One seed, start to finish: the world and its first engine, the workload, the scheduler loop
// (settle, crash and restart, or move virtual time to the next timer), then the evidence and
// the shared invariant checker's verdict, with a hash of everything that happened.
import { createHash } from 'node:crypto';
import { historyExport, setDefects, type Defect, type HistoryEvent } from '../src/core/index.js';
import { buildPackage, type BuiltPackage } from '../src/package/index.js';
import { replayHistories } from '../src/testing/index.js';
import { readAllHistories, type RunHistory } from '../test/support/histories.js';
import { checkInvariants, type Verdict } from '../torture/invariants.js';
import type { Death } from '../torture/supervisor.js';
import { planOf, type SimPlan } from './plan.js';
import { runWorkload, type WorkloadStats } from './workload.js';
import { describeOpenRuns } from './open-runs.js';
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
  const workload = runWorkload(world);
  workload.done.then(
    () => (outcome = { stats: workload.stats }),
    (err: unknown) => (outcome = { error: String(err) }),
  );
  const pending = (): string =>
    [...workload.stats.pending].map(([op, err]) => `${op}${err ? ` (${err})` : ''}`).join(', ');
  const start = world.clock.now();
  for (let steps = 0; ; steps++) {
    await settle(world);
    if (world.crashed) {
      const failed = await world.startEngine().then(
        () => undefined,
        (err: unknown) => `engine ${world.generations - 1} failed to start: ${String(err)}`,
      );
      if (failed !== undefined) return { steps, unfinished: failed };
      continue;
    }
    if (outcome?.stats) return { steps, stats: outcome.stats };
    if (outcome?.error) return { steps, unfinished: outcome.error };
    if (steps >= STEP_LIMIT || world.clock.now() - start > TIME_LIMIT_MS)
      return { steps, unfinished: `still running after ${steps} steps: ${pending()}` };
    if (!world.clock.runToNext())
      return { steps, unfinished: `nothing left to happen: ${pending()}` };
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

export interface SeedOptions {
  /** Injected defects switched on for this seed (see src/core/defects.ts). */
  readonly defects?: readonly Defect[];
  /** Writes on their way when their engine crashes land late (see `SimPlan.lateWrites`). */
  readonly lateWrites?: boolean;
}

/** Simulates one seed and checks every invariant. */
export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedReport> {
  setDefects(options.defects ?? []);
  const deaths: Death[] = [];
  // What would have killed an engine's process (an unhandled rejection, an uncaught throw).
  const onDeath = (err: unknown): void => {
    deaths.push({
      process: 'engine',
      pid: undefined,
      code: 1,
      signal: null,
      at: 0,
      stderrTail: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  };
  process.on('unhandledRejection', onDeath);
  process.on('uncaughtException', onDeath);
  try {
    return await simulate(seed, options.lateWrites ?? false, deaths);
  } finally {
    // What the abandoned engines still had under way dies down before the next seed.
    for (let i = 0; i < 10; i++) await turn();
    process.off('unhandledRejection', onDeath);
    process.off('uncaughtException', onDeath);
    setDefects([]);
  }
}

/** The verdict of the shared checker over what the world recorded. */
async function judge(
  world: World,
  pkg: BuiltPackage,
  loop: LoopOutcome,
): Promise<{ verdict: Verdict; histories: RunHistory[] }> {
  const histories = await readAllHistories(world.store);
  const stuck = histories.flatMap((h) =>
    h.run.stuck ? [`${h.run.workflowId} stuck: ${h.run.stuck.reason}`] : [],
  );
  const replay = await replayHistories(
    histories.map((h) => historyExport(h.run, h.events)),
    pkg,
    { workflowRuntime: 'inline' },
  );
  const kinds = new Map(world.plan.workflows.map((w) => [w.id, w.kind]));
  const verdict = checkInvariants({
    histories,
    acks: world.acks,
    effects: world.effects,
    deaths: world.deaths,
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
  return { verdict, histories };
}

async function simulate(seed: number, lateWrites: boolean, deaths: Death[]): Promise<SeedReport> {
  const plan = planOf(seed, lateWrites);
  const pkg = await simPackage();
  const world = new World(plan, deaths);
  await world.startEngine(pkg);
  const loop = await drive(world);
  world.crash(); // the last engine too: nothing may change the store while it is read
  const judged = await judge(world, pkg, loop).catch((err: unknown) => ({
    // A store that cannot even be read back (a corrupted history) fails the seed too.
    verdict: {
      violations: [{ invariant: 'harness' as const, detail: `reading the store: ${String(err)}` }],
      figures: {},
    },
    histories: [] as RunHistory[],
  }));
  const { histories } = judged;
  const verdict =
    loop.unfinished === undefined ? judged.verdict : await withOpenRuns(world, judged);
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

/** An unfinished seed's verdict says what the store holds for each open run. */
async function withOpenRuns(
  world: World,
  { verdict, histories }: { verdict: Verdict; histories: readonly RunHistory[] },
): Promise<Verdict> {
  const open = await describeOpenRuns(world.store, histories).catch((e: unknown) => String(e));
  if (open === '') return verdict;
  return {
    ...verdict,
    violations: verdict.violations.map((v) =>
      v.invariant === 'unfinished' ? { ...v, detail: `${v.detail}; ${open}` } : v,
    ),
  };
}
