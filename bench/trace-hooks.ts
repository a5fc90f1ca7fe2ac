// Hooks of the step-by-step trace diagnostics (server-single-trace.ts, single-run-trace.ts):
// a call on a prototype, and a store's commits, each marked as it happens.
import type { Store } from '../src/store/index.js';

/** Wraps `proto[name]` to call `before(args)` first. */
export function hook<T extends object>(
  proto: T,
  name: string,
  before: (args: unknown[]) => void,
): void {
  const target = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = target[name]!;
  target[name] = function (this: unknown, ...args: unknown[]) {
    before(args);
    return original.apply(this, args);
  };
}

/** Wraps the store's commit to mark its start, and its end once it settles. */
export function markCommits(store: Store, mark: (m: 'commitStart' | 'commitEnd') => void): void {
  const commit = store.commit.bind(store);
  store.commit = async (...args) => {
    mark('commitStart');
    try {
      return await commit(...args);
    } finally {
      mark('commitEnd');
    }
  };
}
