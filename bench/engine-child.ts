// One engine-benchmark scenario in a fresh process (so RSS and heap start clean):
//   node [--expose-gc] [--cpu-prof] --import tsx --import ./bench/compiled-engine.mjs bench/engine-child.ts <scenario> [args]
//   (or its bundle: node bench/child-bundle.mjs bench/engine-child.ts <out.mjs>; node <out.mjs> ...)
//     s1 <workflows> <sqlite|postgres|memory>   s1floor <workflows> [sqlite|postgres]
//     s2 <activities> <trials> [warm-up fan-outs]   s3 <workflows> [warm-up workflows]   replay <activities> <iterations>
//     density <workflows> <maxResidentRuns>   s1single <single runs> [sqlite|postgres] (a single run's parts)
// Prints the figures as one JSON line prefixed by RESULT_PREFIX.
import { RESULT_PREFIX, type StoreKind } from './engine-common.js';
import { s1Floor } from './engine-floor.js';
import { singleRunFloorPostgres } from './pg-single-run-floor.js';
import { singleRunFloor } from './single-run-floor.js';
import { density, replay, s1, s2, s3, S3_WARMUP, type Figures } from './engine-scenarios.js';

const [scenario, a, b, c] = process.argv.slice(2);
const int = (s: string | undefined, fallback: number): number =>
  s ? Number.parseInt(s, 10) : fallback;

const SCENARIOS: Record<string, () => Promise<Figures>> = {
  s1: () => s1((b ?? 'sqlite') as StoreKind, int(a, 10_000)),
  s1floor: () => s1Floor(int(a, 10_000), (b ?? 'sqlite') as StoreKind),
  s2: () => s2(int(a, 100), int(b, 30), c === undefined ? undefined : int(c, 3)),
  s3: () => s3(int(a, 1000), int(b, S3_WARMUP)),
  replay: () => replay(int(a, 3333), int(b, 7)),
  density: () => density(int(a, 100_000), int(b, 10_000)),
  s1single: () =>
    b === 'postgres' ? singleRunFloorPostgres(int(a, 200)) : singleRunFloor(int(a, 200)),
};

const run = scenario ? SCENARIOS[scenario] : undefined;
if (!run) {
  process.stderr.write(`usage: engine-child.ts <${Object.keys(SCENARIOS).join('|')}> [args]\n`);
  process.exit(2);
}
const figures = await run();
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
