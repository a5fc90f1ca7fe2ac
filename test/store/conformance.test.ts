import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import {
  runScenario,
  runStoreConformance,
  storeConformanceScenarios,
  type StoreHarness,
  type StoreHarnessCreateOptions,
  type StoreScenario,
} from '../../src/testing/index.js';
import { SKIP_PG, storeHarnesses } from './harnesses.js';

/** Scenarios that build large data sets get more time on slow CI disks. */
const SLOW_MS = 120_000;

describe.each(storeHarnesses.map((harness) => ({ name: harness.name, harness })))(
  'store conformance: $name',
  ({ harness }) => {
    runStoreConformance({
      harness,
      test: (name, fn) => {
        const slow =
          storeConformanceScenarios.find((s) => s.name === name)?.tags?.includes('slow') ?? false;
        it(name, fn, slow ? SLOW_MS : undefined);
      },
      skip: (name, reason) => it.skip(`${name} — skipped: ${reason}`, () => {}),
    });
  },
);

if (SKIP_PG) {
  // Visible in the report, so a green run without PostgreSQL is never mistaken for a full one.
  describe('store conformance: postgres', () => {
    it.skip('PostgreSQL left out because AION_SKIP_PG=1 is set', () => {});
  });
}

describe('store conformance runner', () => {
  const needsSecond: StoreScenario = {
    name: 'probe: uses a second connection',
    needs: ['second'],
    async run({ second }) {
      await second();
    },
  };

  function memoryHarness(overrides: Partial<StoreHarness> = {}, log: string[] = []): StoreHarness {
    return {
      name: 'probe',
      create(options: StoreHarnessCreateOptions = {}) {
        log.push(`create ${JSON.stringify(options)}`);
        const store = createMemoryStore(options.limits ? { limits: options.limits } : {});
        return Promise.resolve({
          store,
          dispose: () => {
            log.push('dispose');
            return store.close();
          },
        });
      },
      ...overrides,
    };
  }

  it('reports a scenario the harness cannot run through skip, with the declared reason', () => {
    const tests: string[] = [];
    const skips: [string, string][] = [];
    runStoreConformance({
      harness: memoryHarness({ unsupported: { second: 'one heap only' } }),
      scenarios: [needsSecond],
      test: (name) => tests.push(name),
      skip: (name, reason) => skips.push([name, reason]),
    });
    expect(tests).toEqual([]);
    expect(skips).toEqual([[needsSecond.name, "probe has no 'second': one heap only"]]);
  });

  it('fails loudly when a harness lacks a need it did not declare unsupported', async () => {
    await expect(runScenario(memoryHarness(), needsSecond)).rejects.toThrow(
      /provides no second\(\)/,
    );
  });

  it('refuses a capability the scenario did not declare', async () => {
    const sneaky: StoreScenario = {
      name: 'probe: reopen without declaring it',
      async run({ reopen }) {
        await reopen();
      },
    };
    await expect(runScenario(memoryHarness(), sneaky)).rejects.toThrow(
      /without declaring it in needs/,
    );
  });

  it('passes limits and needs to create and disposes even when the scenario fails', async () => {
    const log: string[] = [];
    const failing: StoreScenario = {
      name: 'probe: fails',
      limits: { maxHistoryLength: 3 },
      run: () => Promise.reject(new Error('scenario failed')),
    };
    await expect(runScenario(memoryHarness({}, log), failing)).rejects.toThrow('scenario failed');
    expect(log).toEqual(['create {"needs":[],"limits":{"maxHistoryLength":3}}', 'dispose']);
  });

  it('has unique scenario names and registers each exactly once', () => {
    const names = storeConformanceScenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const tests: string[] = [];
    runStoreConformance({ harness: memoryHarness(), test: (name) => tests.push(name) });
    expect(tests).toEqual(names);
  });
});
