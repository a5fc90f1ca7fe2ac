// Which rows of a memory-store map belong to each run, so that a run's close or purge drops
// its rows without scanning every row of every run.
import { key } from './keys.js';

export class RunIndex {
  readonly #byRun = new Map<string, Set<string>>();

  /** Records that row `rowKey` belongs to run `runId` of `namespace`. */
  add(namespace: string, runId: string, rowKey: string): void {
    const runKey = key(namespace, runId);
    let rows = this.#byRun.get(runKey);
    if (rows === undefined) this.#byRun.set(runKey, (rows = new Set()));
    rows.add(rowKey);
  }

  /** Forgets row `rowKey` of run `runId` (it was deleted on its own). */
  delete(namespace: string, runId: string, rowKey: string): void {
    const runKey = key(namespace, runId);
    const rows = this.#byRun.get(runKey);
    if (rows === undefined) return;
    rows.delete(rowKey);
    if (rows.size === 0) this.#byRun.delete(runKey);
  }

  /** Forgets every row of a run and returns their keys. */
  take(namespace: string, runId: string): Iterable<string> {
    const runKey = key(namespace, runId);
    const rows = this.#byRun.get(runKey);
    if (rows === undefined) return [];
    this.#byRun.delete(runKey);
    return rows;
  }
}
