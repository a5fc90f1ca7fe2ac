import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, type BuiltPackage } from '../../src/package/index.js';
import { PackageSandbox } from '../../src/runtime/index.js';
import type { ActivationInput, WorkflowCommand, WorkflowInitInfo } from '../../src/core/index.js';
import { sandboxInitInfo } from '../support/init-info.js';

const fixtures = new URL('../fixtures/workflows/escape/', import.meta.url).pathname;

let runCount = 0;
function init(workflowType: string): WorkflowInitInfo {
  const runId = `00000000-0000-4000-8000-${String(++runCount).padStart(12, '0')}`;
  return sandboxInitInfo(workflowType, runId, `wf-${runCount}`);
}

const input = (jobs: ActivationInput['jobs']): ActivationInput => ({
  now: 1_000_000,
  replaying: false,
  jobs,
  historyLength: 1,
  continueAsNewSuggested: false,
});

/** Runs a workflow to its end (firing its timers) and returns its JSON result. */
function run(sandbox: PackageSandbox, type: string, ...args: unknown[]): unknown {
  const instance = sandbox.instantiate(init(type));
  let jobs: ActivationInput['jobs'] = [
    {
      type: 'startWorkflow',
      args: args.map((a) => ({ encoding: 'json/plain', data: JSON.stringify(a) })),
    },
  ];
  for (let round = 0; round < 20; round++) {
    const [out] = sandbox.activateBatch([{ run: instance, input: input(jobs) }]);
    const commands: readonly WorkflowCommand[] = out!.commands;
    for (const c of commands) {
      if (c.type === 'completeWorkflow') return JSON.parse(c.result.data);
      if (c.type === 'failWorkflow') throw new Error(`workflow failed: ${c.failure.message}`);
    }
    jobs = commands.flatMap((c) =>
      c.type === 'startTimer' ? [{ type: 'fireTimer' as const, timerId: c.timerId }] : [],
    );
    if (jobs.length === 0)
      throw new Error(`workflow ${type} is stuck: ${JSON.stringify(commands)}`);
  }
  throw new Error(`workflow ${type} did not finish`);
}

let pkg: BuiltPackage;
beforeAll(async () => {
  pkg = await buildPackage({ workflowsPath: `${fixtures}escapes.ts` });
}, 120_000);

describe('workflow code cannot reach the host realm', () => {
  it('blocks every escape attempt', () => {
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const names = run(sandbox, 'attemptNames') as string[];
    expect(names.length).toBeGreaterThan(20);
    const outcomes = Object.fromEntries(
      names.map((n) => [n, run(sandbox, 'attempt', n) as string]),
    );
    for (const [name, outcome] of Object.entries(outcomes)) {
      expect(outcome, name).toMatch(/^blocked/);
    }
    // Host errors reach workflow code as the realm's own errors.
    expect(outcomes['URL error constructor.constructor']).toBe(
      'blocked: only the realm Function is reachable',
    );
    expect(outcomes['__aionOp global']).toMatch(/blocked: Cannot read properties of undefined/);
  });

  it('reaches only objects of the realm (structural walk from the global and from results)', () => {
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const { visited, violations } = run(sandbox, 'reachable') as {
      visited: number;
      violations: string[];
    };
    expect(violations).toEqual([]);
    expect(visited).toBeGreaterThan(1000); // the walk did cover the built-ins and the runtime
  });
});

describe('one run cannot change what another run of the package sees', () => {
  it('blocks writes to built-ins and runtime hooks; a healthy run still works afterwards', () => {
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const expected = run(sandbox, 'healthy', 2);
    expect(JSON.parse(expected as string)).toMatchObject({
      total: [3, 5, 7],
      err: 'MyError:MyError: m',
      own: 'own toString',
      legacy: true,
      url: 'https://example.com/p?q=1&r=two+words',
      text: 'héllo',
      plain: '[object Object]',
    });
    const report = run(sandbox, 'pollute') as Record<string, string>;
    expect(Object.keys(report).length).toBeGreaterThan(20);
    for (const [name, outcome] of Object.entries(report)) {
      expect(outcome, name).toMatch(/^blocked/);
    }
    expect(run(sandbox, 'healthy', 2)).toEqual(expected);
    // The attempts are refused loudly where the language allows it.
    expect(report['Object.prototype.toString']).toMatch(/built-in objects are frozen/);
  });

  it('refuses, with a clear error, a package whose module-level code writes to a built-in', async () => {
    await expect(buildPackage({ workflowsPath: `${fixtures}pollutes-at-load.ts` })).rejects.toThrow(
      /changes built-in objects when its module is evaluated \(Object\.prototype\.get was added\)/,
    );
  });

  it('keeps refusing such a package on every later run of the same sandbox', () => {
    // The same package with module-level code that pollutes.
    const polluting = pkg.bundle.replace(
      'globalThis.__aionUserFactory = function (require, Date, Math, console, crypto) {',
      '$&\nObject.prototype.polluted = 1;',
    );
    expect(polluting).not.toBe(pkg.bundle);
    const sandbox = PackageSandbox.create(polluting, 'polluting');
    for (let i = 0; i < 2; i++) {
      expect(() => sandbox.instantiate(init('healthy'))).toThrow(
        /Object\.prototype\.polluted was added/,
      );
    }
  });
});
