import type { Store } from '../contract/index.js';
import type {
  ScenarioContext,
  StoreHarness,
  StoreHandle,
  StoreNeed,
  StoreScenario,
} from './types.js';

export interface RunStoreConformanceOptions {
  readonly harness: StoreHarness;
  /** Registers one test with the runner (Vitest `it`, `node:test` `test`, …). */
  readonly test: (name: string, fn: () => Promise<void>) => void;
  /**
   * Registers a skipped test with its reason. When omitted, a scenario the harness cannot run
   * is registered as a passing test that does nothing but name the reason — never silently dropped.
   */
  readonly skip?: (name: string, reason: string) => void;
  /** The scenarios to run. Default: {@link storeConformanceScenarios}. */
  readonly scenarios?: readonly StoreScenario[];
}

/** Why `harness` cannot run `scenario`, or undefined when it can. */
export function skipReason(harness: StoreHarness, scenario: StoreScenario): string | undefined {
  for (const need of scenario.needs ?? []) {
    const reason = harness.unsupported?.[need];
    if (reason !== undefined) return `${harness.name} has no '${need}': ${reason}`;
  }
  return undefined;
}

function missing(harness: StoreHarness, need: StoreNeed, scenario: StoreScenario): Error {
  return new Error(
    `scenario "${scenario.name}" uses '${need}' without declaring it in needs, or harness ${harness.name} ` +
      `provides no ${need}() and declares no reason in unsupported.${need}`,
  );
}

/** Runs one scenario on a fresh store from `harness`, disposing it afterwards. */
export async function runScenario(harness: StoreHarness, scenario: StoreScenario): Promise<void> {
  const needs = scenario.needs ?? [];
  const handle: StoreHandle = await harness.create({
    needs,
    ...(scenario.limits ? { limits: scenario.limits } : {}),
  });
  const allowed = (need: StoreNeed): boolean => needs.includes(need);
  const ctx: ScenarioContext = {
    store: handle.store,
    harness: harness.name,
    second: (): Promise<Store> => {
      if (!allowed('second') || !handle.second)
        return Promise.reject(missing(harness, 'second', scenario));
      return handle.second();
    },
    reopen: (): Promise<Store> => {
      if (!allowed('reopen') || !handle.reopen)
        return Promise.reject(missing(harness, 'reopen', scenario));
      return handle.reopen();
    },
  };
  let failure: unknown;
  try {
    await scenario.run(ctx);
  } catch (error) {
    failure = error;
  }
  try {
    await handle.dispose();
  } catch (error) {
    // A scenario failure is the more useful report; a dispose failure alone still fails.
    failure ??= error;
  }
  if (failure !== undefined)
    throw failure instanceof Error
      ? failure
      : new Error('scenario failed with a non-Error value', { cause: failure });
}

/**
 * Registers every conformance scenario with a test runner, each on a fresh store of
 * `harness`. Scenarios needing a capability the harness declares unsupported are reported
 * through `skip` with the harness's written reason.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runStoreConformance } from 'aion/testing';
 * describe('my store', () => {
 *   runStoreConformance({ harness: myHarness, test: (name, fn) => it(name, fn), skip: (name, why) => it.skip(`${name} — ${why}`) });
 * });
 * ```
 */
export function runStoreConformance(
  options: RunStoreConformanceOptions,
  all: readonly StoreScenario[],
): void {
  const scenarios = options.scenarios ?? all;
  const names = new Set<string>();
  for (const scenario of scenarios) {
    if (names.has(scenario.name))
      throw new Error(`duplicate conformance scenario name: ${scenario.name}`);
    names.add(scenario.name);
    const reason = skipReason(options.harness, scenario);
    if (reason !== undefined) {
      if (options.skip) options.skip(scenario.name, reason);
      else options.test(`${scenario.name} (skipped: ${reason})`, () => Promise.resolve());
      continue;
    }
    options.test(scenario.name, () => runScenario(options.harness, scenario));
  }
}
