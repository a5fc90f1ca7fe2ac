// `npm run sim -- --seeds N [--from S] [--seed S] [--verbose]`: simulates seeds one after the
// other and prints one JSON line per failing seed (with the command that reproduces it) and a
// summary line. Exit code 1 when any seed failed.
import { parseArgs } from 'node:util';
import { runSeeds, type SeedReport } from './index.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    from: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${text}\n`);
    process.exit(2);
  }
  return n;
}

const single = values.seed !== undefined;
const from = single ? int('seed', values.seed, 0) : int('from', values.from, 1);
const count = single ? 1 : int('seeds', values.seeds, 100);

const onSeed = (r: SeedReport, line: Record<string, unknown>): void => {
  if (r.verdict.violations.length > 0 || values.verbose || single)
    process.stdout.write(`${JSON.stringify(line)}\n`);
};
const summary = await runSeeds({ from, count, onSeed, verbose: values.verbose || single });
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.failed > 0 ? 1 : 0;
