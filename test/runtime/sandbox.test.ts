import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../src/package/index.js';
import { DeadlockError, PackageSandbox, WorkflowThread } from '../../src/runtime/index.js';
import type { ActivationInput } from '../../src/core/index.js';
import { sandboxInitInfo } from '../support/init-info.js';

const fixture = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;

const init = sandboxInitInfo;

const input = (now: number, jobs: ActivationInput['jobs']): ActivationInput => ({
  now,
  replaying: false,
  jobs,
  historyLength: 1,
  continueAsNewSuggested: false,
});

describe('package sandbox', () => {
  it('builds, lists workflow types, runs an activation and resolves an activity', async () => {
    const pkg = await buildPackage({ workflowsPath: fixture });
    expect(pkg.manifest.workflowTypes.map((t) => t.name)).toEqual([
      'hello',
      'spin',
      'waitForApproval',
    ]);
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const run = sandbox.instantiate(init('hello'));
    const [out1] = sandbox.activateBatch([
      {
        run,
        input: input(1_000_000, [
          { type: 'startWorkflow', args: [{ encoding: 'json/plain', data: '"Ada"' }] },
        ]),
      },
    ]);
    expect(out1!.commands).toEqual([
      {
        type: 'scheduleActivity',
        activityId: '1',
        activityType: 'greet',
        args: [{ encoding: 'json/plain', data: '"Ada"' }],
        options: { taskQueue: 'default', startToCloseTimeoutMs: 60_000 },
        local: false,
      },
    ]);
    const [out2] = sandbox.activateBatch([
      {
        run,
        input: input(1_000_500, [
          {
            type: 'resolveActivity',
            activityId: '1',
            result: { encoding: 'json/plain', data: '"Hello, Ada"' },
          },
        ]),
      },
    ]);
    expect(out2!.commands).toEqual([
      { type: 'completeWorkflow', result: { encoding: 'json/plain', data: '"Hello, Ada"' } },
    ]);
  });

  it('gives deterministic time and randomness, signals, conditions with timeout, and queries', async () => {
    const pkg = await buildPackage({ workflowsPath: fixture });
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const runs = [
      sandbox.instantiate(init('waitForApproval')),
      sandbox.instantiate(init('waitForApproval')),
    ];
    const outs = runs.map(
      (run) =>
        sandbox.activateBatch([
          { run, input: input(2_000_000, [{ type: 'startWorkflow', args: [] }]) },
        ])[0]!,
    );
    expect(outs[0]!.commands).toEqual([
      { type: 'startTimer', timerId: '1', durationMs: 3_600_000 },
    ]);
    expect(sandbox.query(runs[0]!, 'status', [])).toEqual({
      ok: true,
      result: { encoding: 'json/plain', data: '"waiting"' },
    });
    const results = runs.map((run) => {
      const a = sandbox.activateBatch([
        {
          run,
          input: input(2_000_100, [
            {
              type: 'signalWorkflow',
              signalName: 'approve',
              args: [{ encoding: 'json/plain', data: '"bob"' }],
            },
          ]),
        },
      ])[0]!;
      expect(a.commands).toEqual([
        { type: 'cancelTimer', timerId: '1' },
        { type: 'startTimer', timerId: '2', durationMs: 1000 },
      ]);
      const b = sandbox.activateBatch([
        { run, input: input(2_001_100, [{ type: 'fireTimer', timerId: '2' }]) },
      ])[0]!;
      expect(b.commands[0]!.type).toBe('completeWorkflow');
      return JSON.parse((b.commands[0] as { result: { data: string } }).result.data) as {
        by: string;
        at: number;
        id: string;
        r: number;
      };
    });
    expect(results[0]).toEqual(results[1]); // same seed → same uuid and random draws
    expect(results[0]!.at).toBe(2_001_100);
    expect(results[0]!.by).toBe('bob');
    expect(sandbox.query(runs[0]!, 'status', [])).toEqual({
      ok: true,
      result: { encoding: 'json/plain', data: '"approved"' },
    });
    expect(sandbox.query(runs[0]!, 'nope', [])).toMatchObject({ ok: false, code: 'unknown_query' });
  });

  it('stops a synchronous infinite loop by replacing the workflow thread (DeadlockError), then works on', async () => {
    const pkg = await buildPackage({ workflowsPath: fixture });
    const restarts: string[] = [];
    const thread = new WorkflowThread({
      deadlockTimeoutMs: 200,
      onRestart: (r) => restarts.push(r),
    });
    try {
      await thread.loadPackage(pkg.version, pkg.bundle);
      const spin = {
        key: 'k1',
        version: pkg.version,
        init: init('spin'),
        input: input(0, [{ type: 'startWorkflow', args: [] }]),
      };
      await expect(thread.activate([spin])).rejects.toBeInstanceOf(DeadlockError);
      expect(restarts).toHaveLength(1);
      const hello = {
        key: 'k2',
        version: pkg.version,
        init: init('hello', '22222222-2222-4222-8222-222222222222'),
        input: input(0, [
          { type: 'startWorkflow', args: [{ encoding: 'json/plain', data: '"x"' }] },
        ]),
      };
      const [out] = await thread.activate([hello]);
      expect(out!.commands[0]!.type).toBe('scheduleActivity');
    } finally {
      await thread.close();
    }
  });

  it('builds identical bytes twice (stable version)', async () => {
    const a = await buildPackage({ workflowsPath: fixture });
    const b = await buildPackage({ workflowsPath: fixture });
    expect(Buffer.from(a.archive).equals(Buffer.from(b.archive))).toBe(true);
    expect(a.version).toBe(b.version);
    expect(a.version).toMatch(/^[0-9a-f]{64}$/);
  });
});
