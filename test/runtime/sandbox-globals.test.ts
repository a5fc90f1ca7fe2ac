import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../src/package/index.js';
import { PackageSandbox } from '../../src/runtime/index.js';
import type { ActivationInput, ActivationOutput } from '../../src/core/index.js';
import { sandboxInitInfo } from '../support/init-info.js';

const fixture = new URL('../fixtures/workflows/globals.ts', import.meta.url).pathname;

const start = (now: number): ActivationInput => ({
  now,
  replaying: false,
  jobs: [{ type: 'startWorkflow', args: [] }],
  historyLength: 1,
  continueAsNewSuggested: false,
});

const logged = (out: ActivationOutput): string[] => out.logs.map((l) => `${l.level} ${l.message}`);

describe('a run’s globals', () => {
  it('gives each run its own console (methods made on first use), Date, Math and crypto', async () => {
    const pkg = await buildPackage({ workflowsPath: fixture });
    const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
    const first = sandbox.instantiate(sandboxInitInfo('globalsSeen'));
    const [out] = sandbox.activateBatch([{ run: first, input: start(5_000_000) }]);
    expect(logged(out!)).toEqual([
      expect.stringMatching(/^warn detached 1/),
      expect.stringMatching(/^info direct/),
      expect.stringMatching(/^error replaced x/),
    ]);
    const done = out!.commands.find((c) => c.type === 'completeWorkflow') as
      { result: { data: string } } | undefined;
    expect(JSON.parse(done!.result.data)).toEqual({
      protoFrozen: true,
      tamper: 'TypeError',
      hidden: 0,
      forIn: ['debug', 'error', 'info', 'log', 'trace', 'warn'],
      now: 5_000_000,
      newDate: 5_000_000,
      isDate: true,
      parse: Date.parse('2020-01-01T00:00:00Z'),
      utc: Date.UTC(2020, 0, 1),
      random: 'number',
      floor: 2,
      uuid: 'string',
    });
    // Another run's console is its own: the first run's replaced method is not seen here.
    const second = sandbox.instantiate(
      sandboxInitInfo('plainLog', '22222222-2222-4222-8222-222222222222'),
    );
    const [again] = sandbox.activateBatch([{ run: second, input: start(6_000_000) }]);
    expect(logged(again!)).toEqual([expect.stringMatching(/^info plain/)]);
  });
});
