/**
 * Records the golden histories of `scenarios.ts` into `fixtures/`:
 *
 *   node --import tsx test/replay/record.ts [scenario ...]
 *
 * Only scenarios without fixtures are recorded; existing fixtures are never rewritten (a
 * fixture that stops replaying is a determinism regression, not a file to refresh — see
 * README.md). Each scenario runs in a fresh time-skipping environment with deterministic
 * activity stubs; every run it produces (all runs of a continue-as-new chain) is written with
 * `writeHistoryFile`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryExport, WorkflowHandle } from '../../src/index.js';
import { TestWorkflowEnvironment, writeHistoryFile } from '../../src/testing/index.js';
import {
  activities,
  fixturesDir,
  RECORDER_IDENTITY,
  scenarios,
  workflowsPath,
  type Scenario,
} from './scenarios.js';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** The histories of every run from `first` on, following continue-as-new. */
async function chainOf(
  env: TestWorkflowEnvironment,
  first: WorkflowHandle,
): Promise<HistoryExport[]> {
  const runs: HistoryExport[] = [];
  let runId: string | undefined = first.runId;
  while (runId !== undefined) {
    const history = await env.client.workflow.getHandle(first.workflowId, runId).fetchHistory();
    runs.push(history);
    const last = history.events[history.events.length - 1];
    runId = last?.type === 'WorkflowContinuedAsNew' ? last.newRunId : undefined;
  }
  return runs;
}

function fileNames(scenario: Scenario, runs: number): string[] {
  if (!scenario.chain) return [`${scenario.name}.json`];
  return Array.from({ length: runs }, (_, i) => `${scenario.name}-${i + 1}.json`);
}

function recorded(scenario: Scenario): boolean {
  return existsSync(
    path.join(fixturesDir, scenario.chain ? `${scenario.name}-1.json` : `${scenario.name}.json`),
  );
}

async function record(scenario: Scenario): Promise<string[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath,
    activities,
    identity: RECORDER_IDENTITY,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  try {
    const first = await scenario.run(env);
    const runs = await chainOf(env, first);
    if (scenario.chain ? runs.length < 2 : runs.length !== 1)
      throw new Error(`${scenario.name}: recorded ${runs.length} run(s)`);
    const names = fileNames(scenario, runs.length);
    for (const [i, history] of runs.entries()) {
      // Fixtures are committed: they must not carry paths of the machine that recorded them.
      if (JSON.stringify(history).includes(repoRoot))
        throw new Error(`${scenario.name}: run ${i + 1} mentions ${repoRoot}`);
      await writeHistoryFile(path.join(fixturesDir, names[i]!), history);
    }
    return names;
  } finally {
    await env.teardown();
  }
}

async function main(only: readonly string[]): Promise<void> {
  const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  await mkdir(fixturesDir, { recursive: true });
  for (const scenario of scenarios) {
    if (only.length > 0 && !only.includes(scenario.name)) continue;
    if (recorded(scenario)) {
      console.log(`kept     ${scenario.name} (already recorded)`);
      continue;
    }
    const names = await record(scenario);
    console.log(`recorded ${names.join(', ')}`);
  }
}

await main(process.argv.slice(2));
