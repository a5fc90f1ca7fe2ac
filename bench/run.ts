// Runs benchmark suites and prints one JSON line per result, then a summary table (stderr):
//   npm run bench -- [suite...] [--save]
// `--save` also appends the lines to bench/results/<date>.jsonl.
import { emitJsonLine, emitted, type Emit } from './lib.js';
import { saveResults, summaryTable } from './summary.js';

type Suite = (emit: Emit) => Promise<void>;

const SUITES: Record<string, () => Promise<Suite[]>> = {
  store: async () => [
    (await import('./store-sqlite.js')).default,
    (await import('./store-postgres.js')).default,
  ],
  engine: async () => [(await import('./engine.js')).default],
  server: async () => [(await import('./server.js')).default],
  recovery: async () => [(await import('./recovery.js')).default],
  schedules: async () => [(await import('./schedules.js')).default],
  cluster: async () => [(await import('./cluster.js')).default],
  visibility: async () => [(await import('./visibility.js')).default],
  console: async () => [(await import('./console.js')).default],
};

const argv = process.argv.slice(2);
const save = argv.includes('--save');
const requested = argv.filter((a) => a !== '--save');
const names = requested.length > 0 ? requested : Object.keys(SUITES);
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    process.stderr.write(
      `unknown bench suite ${JSON.stringify(name)}; known: ${Object.keys(SUITES).join(', ')}\n`,
    );
    process.exit(2);
  }
  for (const suite of await load()) await suite(emitJsonLine);
}
process.stderr.write(`\n${summaryTable(emitted.map((e) => e.record))}\n`);
if (save) process.stderr.write(`saved to ${saveResults(emitted.map((e) => e.line))}\n`);
