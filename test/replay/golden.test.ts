/**
 * Golden-history regression suite: every history recorded in `fixtures/` (by `record.ts`)
 * must keep replaying against `workflows.ts`. A failure here means a change to the engine,
 * the sandbox or the workflow API makes existing histories diverge — runs in flight would
 * break on upgrade. Do not re-record the fixture: fix the regression (see README.md).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryExport } from '../../src/index.js';
import {
  loadHistoryFile,
  NonDeterminismError,
  replayHistories,
  type ReplayResult,
} from '../../src/testing/index.js';
import { fixturesDir, scenarios, workflowsPath } from './scenarios.js';

const changedPath = new URL('./workflows-changed.ts', import.meta.url).pathname;

const files = (await readdir(fixturesDir)).filter((f) => f.endsWith('.json')).sort();

const TERMINAL = new Set([
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowCancelled',
  'WorkflowTerminated',
  'WorkflowTimedOut',
  'WorkflowContinuedAsNew',
]);

type FixtureOutcome = { readonly ok: true } | { readonly ok: false; readonly error: Error };

/**
 * Loads and replays fixture files against one build of `workflows`; the outcome of each file,
 * by file name. A file that cannot be loaded counts as failed (it never throws).
 */
async function replayFixtures(
  names: readonly string[],
  workflows: string,
): Promise<Map<string, FixtureOutcome>> {
  const outcomes = new Map<string, FixtureOutcome>();
  const loaded: { name: string; history: HistoryExport }[] = [];
  for (const name of names) {
    try {
      loaded.push({ name, history: await loadHistoryFile(path.join(fixturesDir, name)) });
    } catch (err) {
      outcomes.set(name, { ok: false, error: err as Error });
    }
  }
  const results: ReplayResult[] = await replayHistories(
    loaded.map((l) => l.history),
    workflows,
  );
  loaded.forEach(({ name }, i) => {
    const r = results[i]!;
    outcomes.set(name, r.ok ? { ok: true } : { ok: false, error: r.error });
  });
  return outcomes;
}

/** Throws an error that names the fixture and why it diverged. */
function expectReplayed(name: string, outcome: FixtureOutcome | undefined): void {
  if (outcome === undefined) throw new Error(`${name} was not replayed`);
  if (outcome.ok) return;
  const { code } = outcome.error as { code?: unknown };
  const kind = typeof code === 'string' ? code : outcome.error.name;
  throw new Error(
    `golden history ${name} no longer replays against test/replay/workflows.ts ` +
      `(${kind}): ${outcome.error.message}`,
    { cause: outcome.error },
  );
}

describe('golden histories', () => {
  let outcomes: Map<string, FixtureOutcome>;
  beforeAll(async () => {
    outcomes = await replayFixtures(files, workflowsPath);
  });

  it('has a recorded fixture for every scenario, and no stray fixture', () => {
    const expected = new Set<string>();
    for (const s of scenarios) {
      if (!s.chain) expected.add(`${s.name}.json`);
      else
        for (const f of files) if (new RegExp(`^${s.name}-\\d+\\.json$`).test(f)) expected.add(f);
      if (s.chain) expect(files, `${s.name} is a chain`).toContain(`${s.name}-2.json`);
    }
    expect(files).toEqual([...expected].sort());
  });

  it.each(files)('%s replays against workflows.ts', (name) => {
    expectReplayed(name, outcomes.get(name));
  });

  it.each(files)('%s is a closed run', async (name) => {
    const { events } = await loadHistoryFile(path.join(fixturesDir, name));
    expect(TERMINAL.has(events[events.length - 1]!.type)).toBe(true);
  });
});

describe('the suite can fail', () => {
  it('reports nondeterminism, naming the fixture, when a workflow changes its commands', async () => {
    const name = 'sequential-activities.json';
    const outcomes = await replayFixtures([name], changedPath);
    const outcome = outcomes.get(name);
    expect(outcome?.ok).toBe(false);
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(NonDeterminismError);
    // History has the `charge` activity (seq 5) where the changed code starts a timer.
    expect(error).toMatchObject({
      code: 'nondeterminism',
      seq: 5,
      expected: expect.stringContaining('ActivityScheduled(step') as unknown,
      found: expect.stringContaining('StartTimer') as unknown,
    });
    expect(() => expectReplayed(name, outcome)).toThrow(
      /golden history sequential-activities\.json no longer replays .*\(nondeterminism\)/,
    );
  });
});
