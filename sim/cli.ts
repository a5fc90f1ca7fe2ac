// `npm run sim -- --seeds N [--from S] [--seed S] [--verbose]`: simulates seeds one after the
// other and prints one JSON line per failing seed (with the command that reproduces it) and a
// summary line. Exit code 1 when any seed failed.
import { parseArgs } from 'node:util';
import { DEFECTS, type Defect } from '../src/core/index.js';
import { runSeeds, type SeedReport } from './index.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    from: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    defect: { type: 'string', multiple: true },
    'late-writes': { type: 'boolean', default: false },
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

const defects = (values.defect ?? []).map((d) => {
  if (!(DEFECTS as readonly string[]).includes(d)) {
    process.stderr.write(`--defect must be one of ${DEFECTS.join(', ')}, got ${d}\n`);
    process.exit(2);
  }
  return d as Defect;
});
const single = values.seed !== undefined;
const from = single ? int('seed', values.seed, 0) : int('from', values.from, 1);
const count = single ? 1 : int('seeds', values.seeds, 100);

const onSeed = (r: SeedReport, line: Record<string, unknown>): void => {
  if (r.verdict.violations.length > 0 || values.verbose || single)
    process.stdout.write(`${JSON.stringify(line)}\n`);
};
const summary = await runSeeds({
  from,
  count,
  onSeed,
  verbose: values.verbose || single,
  defects,
  lateWrites: values['late-writes'],
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.failed > 0 ? 1 : 0;
