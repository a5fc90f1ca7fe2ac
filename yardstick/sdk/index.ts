// `npm run yardstick -- sdk [--repo <dir>] [--only name…] [--runs-only] [--keep]`: how much of Temporal's TypeScript
// SDK test workflows builds and runs unchanged on Aion.
//
// Builds: every file of `packages/test/src/workflows` (except the few that are not workflow
// modules) as its own workflow package, after rewriting only the SDK import specifiers.
// Runs: the cases in ./cases — each drives one workflow on an embedded engine and checks what
// Temporal's test-workflows.ts / test-integration-*.ts check (result, failure, query answers).
//
// Prints one JSON line per build and per case (`reason` says why a known gap fails), one line
// per Temporal test left out of the count, then `{ builds: {ok,total}, runs: {ok,total} }`.
// `--only a b c` (or `--only a --only b`) keeps the builds and cases whose file, case name or
// workflow type contains one of the names.
// Exit code 0 whatever the counts (it measures, it does not gate); 2 on bad usage.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildOne, workflowFiles, type BuildLine } from './builds.js';
import { ALL_CASES, EXCLUDED } from './cases/index.js';
import { runCase, type RunLine } from './runner.js';
import { extract, HOW_TO_GET, REPO_ENV, type Extracted } from './source.js';

const print = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

function selected(only: readonly string[], ...names: string[]): boolean {
  return only.length === 0 || only.some((o) => names.some((n) => n === o || n.includes(o)));
}

async function measure(
  workflowsDir: string,
  only: readonly string[],
  runsOnly: boolean,
): Promise<object> {
  const builds: BuildLine[] = [];
  const files = runsOnly ? [] : workflowFiles(workflowsDir);
  for (const file of files.filter((f) => selected(only, f))) {
    const line = await buildOne(workflowsDir, file);
    builds.push(line);
    print(line);
  }
  const runs: RunLine[] = [];
  for (const c of ALL_CASES.filter((k) => selected(only, k.name, k.file, k.type, k.from))) {
    const line = await runCase(workflowsDir, c);
    runs.push(line);
    print(line);
  }
  const excluded = EXCLUDED.filter((k) => selected(only, k.name, k.from));
  for (const x of excluded) print({ kind: 'excluded', ...x });
  const ok = (lines: readonly { ok: boolean }[]) => lines.filter((l) => l.ok).length;
  return {
    builds: { ok: ok(builds), total: builds.length },
    runs: { ok: ok(runs), total: runs.length },
    excluded: excluded.length,
  };
}

const USAGE =
  'usage: npm run yardstick -- sdk [--repo <dir>] [--only name…] [--runs-only] [--keep]\n';

function usage(message: string): number {
  process.stderr.write(`yardstick sdk: ${message}\n${USAGE}`);
  return 2;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      repo: { type: 'string' },
      only: { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      'runs-only': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  let source: Extracted;
  try {
    parsed = parse(argv);
    const repo = parsed.values.repo ?? process.env[REPO_ENV];
    if (!repo) return usage(`no SDK checkout; ${HOW_TO_GET}`);
    source = extract(path.resolve(repo));
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const workflowsDir = path.join(source.testSrc, 'workflows');
  try {
    const only = [...values.only, ...positionals];
    const summary = await measure(workflowsDir, only, values['runs-only']);
    print({ kind: 'summary', commit: source.commit, ...summary });
  } finally {
    if (values.keep) process.stderr.write(`kept ${source.testSrc}\n`);
    else rmSync(path.resolve(source.testSrc, '../../..'), { recursive: true, force: true });
  }
  return 0;
}
