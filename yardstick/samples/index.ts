// The samples yardstick: how many of Temporal's TypeScript samples (temporalio/samples-typescript)
// run on Aion with only their import specifiers rewritten, each driven with what its own client
// or test sends and checked as that test checks.
//
//   npm run yardstick -- samples [--repo <clone or bare git dir>] [--only <name>…] [--install] [--keep]
//
//   --repo     a clone of https://github.com/temporalio/samples-typescript (or its bare git
//              directory); default: $AION_YARDSTICK_SAMPLES. Its HEAD is measured.
//   --only     run only these samples (folder names, e.g. hello-world message-passing/introduction)
//   --install  npm-install the third-party packages some samples' modules import (async-mutex,
//              immer) into the temporary copy, at the ranges of the samples' package.json;
//              without it those samples fail with the install line as the reason
//   --keep     keep the temporary copy (its path is printed in the summary)
//
// Standard output: one JSON line per sample, then a summary line.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allSamples } from './drivers/index.js';
import { hasPackage, installArgs, installPackages, prepareCopy, writeStubs } from './prepare.js';
import type { PreparedCopy } from './prepare.js';
import { runSample, type SampleOutcome } from './run-sample.js';
import type { Sample } from './types.js';

const USAGE =
  'usage: npm run yardstick -- samples [--repo <path>] [--only <name>…] [--install] [--keep]\n' +
  '  --repo (or AION_YARDSTICK_SAMPLES): a clone of temporalio/samples-typescript, e.g.\n' +
  '    git clone https://github.com/temporalio/samples-typescript\n';

interface Options {
  readonly repo: string;
  readonly only: readonly string[];
  readonly install: boolean;
  readonly keep: boolean;
}

function parse(argv: readonly string[]): Options | string {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      only: { type: 'string', multiple: true },
      install: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const repo = values.repo ?? process.env['AION_YARDSTICK_SAMPLES'];
  if (!repo) return 'no samples repository given (--repo or AION_YARDSTICK_SAMPLES)';
  // `--only a b c`: names after --only arrive as positionals.
  const only = [...(values.only ?? []), ...(values.only ? positionals : [])];
  if (!values.only && positionals.length > 0)
    return `unexpected arguments: ${positionals.join(' ')}`;
  return { repo, only, install: values.install, keep: values.keep };
}

function select(only: readonly string[]): Sample[] | string {
  const samples = allSamples();
  const unknown = only.filter((n) => !samples.some((s) => s.name === n));
  if (unknown.length > 0) return `unknown samples: ${unknown.join(', ')}`;
  return only.length === 0 ? samples : samples.filter((s) => only.includes(s.name));
}

function missingPackages(copy: PreparedCopy, sample: Sample): SampleOutcome | undefined {
  const missing = (sample.packages ?? []).filter((p) => !hasPackage(copy, p));
  if (missing.length === 0) return undefined;
  const line = ['npm', ...installArgs(copy, missing)].join(' ');
  return { pass: false, reason: `needs ${missing.join(', ')}: run with --install (${line})` };
}

/** Whether the sample's activity module ran with only its import specifiers rewritten. */
function moduleUnchanged(sample: Sample): boolean {
  return sample.activityUse === 'unchanged' || sample.activityUse === 'stubbed-endpoint';
}

/**
 * Sends what the samples print with console.log/info/debug to standard error while they run,
 * so that standard output carries only the yardstick's JSON lines. Returns the undo.
 */
function samplesPrintToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]) => console.error(...args);
  Object.assign(console, { log: toStderr, info: toStderr, debug: toStderr });
  return () => Object.assign(console, saved);
}

async function measure(copy: PreparedCopy, samples: readonly Sample[]): Promise<number[]> {
  const counts = [0, 0]; // samples passed, activity modules that ran unchanged
  for (const sample of samples) {
    const started = Date.now();
    const outcome = missingPackages(copy, sample) ?? (await runSample(sample, copy.dir));
    if (outcome.pass) counts[0]!++;
    if (moduleUnchanged(sample) && (outcome.pass || outcome.activityCheck === 'pass')) counts[1]!++;
    const line = {
      sample: sample.name,
      ...outcome,
      activityUse: sample.activityUse,
      ...(sample.note ? { note: sample.note } : {}),
      ms: Date.now() - started,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return counts;
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: Options | string;
  try {
    options = parse(argv);
  } catch (e) {
    options = (e as Error).message; // an unknown or malformed option
  }
  const samples = typeof options === 'string' ? options : select(options.only);
  if (typeof samples === 'string' || typeof options === 'string') {
    process.stderr.write(`${typeof samples === 'string' ? samples : ''}\n${USAGE}`);
    return 2;
  }
  let copy: PreparedCopy;
  try {
    copy = prepareCopy(
      options.repo,
      samples.map((s) => s.name),
    );
  } catch (e) {
    process.stderr.write(`cannot read the samples from ${options.repo}: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const needed = [...new Set(samples.flatMap((s) => s.packages ?? []))];
    if (options.install) installPackages(copy, needed);
    writeStubs(copy);
    const restore = samplesPrintToStderr();
    const [passed, unchanged] = await measure(copy, samples).finally(restore);
    const summary = {
      samples: { pass: passed, total: samples.length },
      activityModulesUnchanged: { ok: unchanged, total: samples.filter(moduleUnchanged).length },
      commit: copy.commit,
      ...(options.keep ? { copy: copy.dir } : {}),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    if (!options.keep) rmSync(copy.dir, { recursive: true, force: true });
  }
}
