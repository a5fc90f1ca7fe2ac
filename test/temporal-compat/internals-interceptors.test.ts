// `internals` workflow interceptors: activate around each activation, concludeActivation over
// its commands, dispose when the instance is dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { PackageSandbox } from '../../src/runtime/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { sandboxInitInfo } from '../support/init-info.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/internals.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
});

afterAll(() => engine.shutdown());

describe('internals interceptors', () => {
  it('activate sees each activation; concludeActivation sees and may rewrite its commands', async () => {
    const h = await engine.start('observed', { workflowId: 'internals-1' });
    const deadline = performance.now() + 20_000;
    while (!(await h.fetchHistory()).events.some((e) => e.type === 'TimerFired')) {
      if (performance.now() > deadline) throw new Error('timer did not fire');
      await new Promise((r) => setTimeout(r, 20));
    }
    await h.signal('finish');
    const result = (await h.result()) as { activations: string[][]; concluded: string[][] };
    expect(result.activations).toEqual([['startWorkflow'], ['fireTimer'], ['signalWorkflow']]);
    expect(result.concluded).toEqual([['upsertMemo', 'upsertMemo', 'startTimer'], []]);
    const memo = (await h.describe()).memo;
    expect(memo).toEqual({ shown: 2 });
    // The rewrite happens again on replay, so the recorded history replays cleanly.
    await expect(replayHistory(await h.fetchHistory(), workflowsPath)).resolves.toBeDefined();
  });

  it('dispose runs when the engine drops the instance', async () => {
    const pkg = await buildPackage({ workflowsPath });
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const run = sandbox.instantiate(sandboxInitInfo('observed'));
    sandbox.activateBatch([
      {
        run,
        input: {
          now: 1_000,
          replaying: false,
          jobs: [{ type: 'startWorkflow', args: [] }],
          historyLength: 1,
          continueAsNewSuggested: false,
        },
      },
    ]);
    expect(run.activator.takeOutput().logs).toEqual([]);
    sandbox.dispose(run);
    expect(run.activator.takeOutput().logs.map((l) => l.message)).toEqual(['disposed']);
  });
});
