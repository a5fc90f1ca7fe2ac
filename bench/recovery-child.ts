// One phase of the recovery benchmark (`npm run bench -- recovery`), in a process of its own:
//   node --import tsx --import ./bench/compiled-engine.mjs bench/recovery-child.ts populate <sqlite|postgres> <location> <runs>
//     starts <runs> workflows that wait for a signal, then <runs> more that it signals at once
//     (the warm baseline: resident runs answering), reports, then stays up to be kill -9ed;
//   node --import tsx --import ./bench/compiled-engine.mjs bench/recovery-child.ts floor <sqlite|postgres> <location>
//     reads every open run's history straight from the store (the floor of the ratios);
//   node --import tsx --import ./bench/compiled-engine.mjs bench/recovery-child.ts empty <sqlite|postgres> <location>
//     the engine's start-up on an empty store (the fixed part of `readyMs`);
//   node --import tsx --import ./bench/compiled-engine.mjs bench/recovery-child.ts recover <sqlite|postgres> <location> <runs>
//     opens an engine on what the killed one left: time until it is ready, then until every
//     run answered a signal by completing;
//   node --import tsx --import ./bench/compiled-engine.mjs bench/recovery-child.ts ready <sqlite|postgres> <location> <runs>
//     only the start-up and one signal, then exits (to profile the start-up).
// <location> is the SQLite file, or the PostgreSQL schema (in AION_TEST_PG's database).
// Prints its figures as one line prefixed by RESULT_PREFIX.
import type { Engine } from '../src/index.js';
import type { Store } from '../src/store/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { benchEngine, MiB, PG_URL, pool, RESULT_PREFIX, RssSampler } from './engine-common.js';
import { nowMs, round } from './lib.js';

type Kind = 'sqlite' | 'postgres';
const [phase, kindArg, location, runsArg] = process.argv.slice(2) as [string, Kind, string, string];
const runs = Number.parseInt(runsArg ?? '10000', 10);
/** Runs answered (warm before the kill, and after recovery): every one up to 10,000, else a sample. */
const answered = Math.min(runs, 10_000);
/** The i-th answered open run: spread evenly over all of them. */
const sampled = (i: number): number => Math.floor((i * runs) / answered);
/** Resident runs while populating: every run up to 10,000 open ones, else bounded. */
const populateResident = Math.min(2 * runs, 20_000);
const id = (i: number): string => `open-${i}`;
const warmId = (i: number): string => `warm-${i}`;

function openStore(kind: Kind, options: { exclusive?: boolean } = {}): Promise<Store> {
  return kind === 'sqlite'
    ? openSqliteStore({ path: location, synchronous: 'FULL', ...options })
    : openPostgresStore({ connectionString: PG_URL, schema: location });
}

function report(figures: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
}

/** Signals every run and waits for each to complete; resolves with the count of odd results. */
async function answerAll(
  engine: Engine,
  ids: (i: number) => string,
  signalled?: string,
): Promise<number> {
  let wrong = 0;
  await pool(answered, 200, async (i) => {
    const handle = engine.getHandle(ids(i));
    if (ids(i) !== signalled) await handle.signal('wake');
    if ((await handle.result()) !== undefined) wrong++;
  });
  return wrong;
}

async function populate(kind: Kind): Promise<void> {
  const store = await openStore(kind);
  // Up to 10,000 open runs every run stays resident (the warm ones are answered from memory);
  // beyond, residency is bounded so that a million runs fit, and the warm ones started last
  // are the resident ones.
  const engine = await benchEngine(store, { maxResidentRuns: populateResident });
  const t0 = nowMs();
  await pool(runs, 2000, (i) => engine.start('waiter', { workflowId: id(i) }));
  await pool(answered, 500, (i) => engine.start('waiter', { workflowId: warmId(i) }));
  await engine.whenIdle();
  const populateMs = nowMs() - t0;
  const t1 = nowMs();
  const wrong = await answerAll(engine, warmId);
  const warmAllAnsweredMs = nowMs() - t1;
  await engine.whenIdle();
  if (wrong > 0) throw new Error(`${wrong} warm runs returned something unexpected`);
  report({
    populateMs: round(populateMs, 0),
    residentBeforeKill: engine.stats.residentRuns,
    warmAllAnsweredMs: round(warmAllAnsweredMs, 0),
  });
  setInterval(() => undefined, 60_000); // until kill -9
}

async function floor(kind: Kind): Promise<void> {
  const t0 = nowMs();
  const store = await openStore(kind, { exclusive: false });
  let events = 0;
  let open = 0;
  let after: { namespace: string; runId: string } | undefined;
  for (;;) {
    const page = await store.listOpenRuns({ limit: 500, ...(after ? { after } : {}) });
    for (const run of page) events += (await store.readHistory(run)).length;
    open += page.length;
    if (page.length < 500) break;
    after = { namespace: page.at(-1)!.namespace, runId: page.at(-1)!.runId };
  }
  const floorMs = nowMs() - t0;
  await store.close();
  report({ floorMs: round(floorMs, 0), openRuns: open, events });
}

async function empty(kind: Kind): Promise<void> {
  const t0 = nowMs();
  const store = await openStore(kind);
  const engine = await benchEngine(store);
  const emptyReadyMs = nowMs() - t0;
  await engine.shutdown();
  await store.close();
  report({ emptyReadyMs: round(emptyReadyMs, 0) });
}

async function recover(kind: Kind): Promise<void> {
  const sampler = new RssSampler();
  const t0 = nowMs();
  const store = await openStore(kind);
  const engine = await benchEngine(store);
  const startedMs = nowMs() - t0;
  // Ready to serve: the engine is up and a signal to an arbitrary open run (one in the middle
  // of the population) was accepted, i.e. committed to its history.
  const probe = id(Math.floor(runs / 2));
  await engine.getHandle(probe).signal('wake');
  const readyMs = nowMs() - t0;
  const residentAtReady = engine.stats.residentRuns;
  const wrong = await answerAll(engine, (i) => id(sampled(i)), probe);
  const allAnsweredMs = nowMs() - t0;
  // Every open run gone through by the recovery sweep (in the background after start-up).
  await engine.whenIdle();
  const idleMs = nowMs() - t0;
  const peak = sampler.stop();
  await engine.shutdown();
  await store.close();
  if (wrong > 0) throw new Error(`${wrong} runs returned something unexpected`);
  report({
    startedMs: round(startedMs, 0),
    readyMs: round(readyMs, 0),
    idleMs: round(idleMs, 0),
    answeredRuns: answered,
    residentAtReady,
    allAnsweredMs: round(allAnsweredMs, 0),
    peakRssMiB: round(peak / MiB, 1),
  });
}

/** Only the start-up and the first signal (for profiling it: `--cpu-prof`); the store is left as is. */
async function ready(kind: Kind): Promise<void> {
  const t0 = nowMs();
  const store = await openStore(kind);
  const engine = await benchEngine(store);
  const startedMs = nowMs() - t0;
  await engine.getHandle(id(Math.floor(runs / 2))).signal('wake');
  const readyMs = nowMs() - t0;
  report({ startedMs: round(startedMs, 0), readyMs: round(readyMs, 0) });
}

const PHASES: Record<string, (kind: Kind) => Promise<void>> = {
  populate,
  floor,
  empty,
  recover,
  ready,
};
const run = PHASES[phase];
if (!run || (kindArg !== 'sqlite' && kindArg !== 'postgres') || !location) {
  process.stderr.write(
    'usage: recovery-child.ts <populate|floor|empty|recover|ready> <sqlite|postgres> <location> [runs]\n',
  );
  process.exit(2);
}
await run(kindArg);
if (phase !== 'populate') process.exit(0);
