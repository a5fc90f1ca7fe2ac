// Which shards this cluster node drives: those it holds a lease on and is not handing off.
// Everything that decides "here or elsewhere" asks this one place, synchronously, so a run is
// never driven by this node once its shard started leaving.
import type { RunKey } from '../../core/index.js';
import { shardOf } from '../../store/index.js';

export class Ownership {
  readonly #count: number;
  readonly #held = new Set<number>();
  readonly #leaving = new Set<number>();

  constructor(shardCount: number) {
    this.#count = shardCount;
  }

  get shardCount(): number {
    return this.#count;
  }

  shardOf(key: { readonly namespace: string; readonly workflowId: string }): number {
    return shardOf(key.namespace, key.workflowId, this.#count);
  }

  ownsShard(shard: number): boolean {
    return this.#held.has(shard) && !this.#leaving.has(shard);
  }

  owns(key: RunKey | { readonly namespace: string; readonly workflowId: string }): boolean {
    return this.ownsShard(this.shardOf(key));
  }

  /** The shards driven here, ascending (the store's filters). */
  active(): number[] {
    return [...this.#held].filter((s) => !this.#leaving.has(s)).sort((a, b) => a - b);
  }

  get size(): number {
    return this.#held.size;
  }

  add(shards: readonly number[]): void {
    for (const s of shards) {
      this.#held.add(s);
      this.#leaving.delete(s);
    }
  }

  /** The shards are being handed off: nothing new of them is driven here. */
  leave(shards: readonly number[]): void {
    for (const s of shards) if (this.#held.has(s)) this.#leaving.add(s);
  }

  remove(shards: readonly number[]): void {
    for (const s of shards) {
      this.#held.delete(s);
      this.#leaving.delete(s);
    }
  }
}
