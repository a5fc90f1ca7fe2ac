// A map for the per-run collections that almost always hold one entry (a run's pending timer,
// the activity it waits on — in the engine's run book and in the workflow runtime's state):
// the entry sits in two fields, and a Map is made only for a second one. A Map with one entry
// costs a hash table allocated for several, kept for every run that sleeps.

export class SmallMap<K, V> implements ReadonlyMap<K, V> {
  #key: K | undefined = undefined;
  #value: V | undefined = undefined;
  #one = false;
  #many: Map<K, V> | undefined = undefined;

  get size(): number {
    return this.#many !== undefined ? this.#many.size : this.#one ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.#many !== undefined) return this.#many.get(key);
    return this.#one && this.#key === key ? this.#value : undefined;
  }

  has(key: K): boolean {
    if (this.#many !== undefined) return this.#many.has(key);
    return this.#one && this.#key === key;
  }

  set(key: K, value: V): this {
    if (this.#many !== undefined) {
      this.#many.set(key, value);
    } else if (!this.#one || this.#key === key) {
      this.#key = key;
      this.#value = value;
      this.#one = true;
    } else {
      this.#many = new Map([[this.#key as K, this.#value as V]]);
      this.#many.set(key, value);
      this.#clearOne();
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#many !== undefined) return this.#many.delete(key);
    if (!this.#one || this.#key !== key) return false;
    this.#clearOne();
    return true;
  }

  #clearOne(): void {
    this.#key = undefined;
    this.#value = undefined;
    this.#one = false;
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[K, V]> {
    if (this.#many !== undefined) yield* this.#many.entries();
    else if (this.#one) yield [this.#key as K, this.#value as V];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
