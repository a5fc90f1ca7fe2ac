import type { Limits } from '../../core/index.js';
import type { Store } from '../contract/index.js';

/** A capability a scenario needs beyond a fresh store. */
export type StoreNeed = 'second' | 'reopen';

/** Options a scenario passes to {@link StoreHarness.create}. */
export interface StoreHarnessCreateOptions {
  /** Limits the store must enforce (e.g. a small `maxHistoryLength`). Default: the store's defaults. */
  readonly limits?: Partial<Limits>;
  /**
   * Capabilities the scenario will use. A harness may open the store differently when it
   * knows (e.g. SQLite without the exclusive owner lock so a second connection can open).
   */
  readonly needs?: readonly StoreNeed[];
}

/** One fresh store (and its data) for one scenario. */
export interface StoreHandle {
  readonly store: Store;
  /** Opens another connection to the same data (concurrency between connections). */
  second?(): Promise<Store>;
  /** Closes the current store and opens the same data again (durability). */
  reopen?(): Promise<Store>;
  /** Closes every store this handle opened and removes the data. */
  dispose(): Promise<void>;
}

/** How the conformance suite obtains stores of one adapter. */
export interface StoreHarness {
  readonly name: string;
  /**
   * Capabilities this adapter cannot offer, each with the written reason reported when a
   * scenario needing it is skipped. A need not listed here must be provided by every handle.
   */
  readonly unsupported?: Partial<Record<StoreNeed, string>>;
  create(options?: StoreHarnessCreateOptions): Promise<StoreHandle>;
}

/** What a scenario receives. */
export interface ScenarioContext {
  /** A fresh, empty store. */
  readonly store: Store;
  /** Name of the harness running the scenario (for messages only; scenarios never branch on it). */
  readonly harness: string;
  /** Another connection to the same data; rejects unless the scenario declared `needs: ['second']`. */
  readonly second: () => Promise<Store>;
  /** Closes `store` and reopens the same data; rejects unless the scenario declared `needs: ['reopen']`. */
  readonly reopen: () => Promise<Store>;
}

/** One runner-agnostic conformance scenario: plain data, assertions via `node:assert/strict`. */
export interface StoreScenario {
  /** Unique, stable name: `<topic>: <behaviour>`. */
  readonly name: string;
  readonly tags?: readonly string[];
  readonly needs?: readonly StoreNeed[];
  /** Limits the store for this scenario must be created with. */
  readonly limits?: Partial<Limits>;
  run(ctx: ScenarioContext): Promise<void>;
}
