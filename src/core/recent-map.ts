// Bounded memory of recent keys (attempts whose result is durable, who held them, attempts
// awaiting an async completion): the newest `limit` entries at least, twice that at most.
//
// Two generations of Maps: entries go into the young one; when it holds `limit`, it becomes
// the old one and the previous old one is dropped whole. Every operation is O(1). Evicting a
// Map's first key on each insert (`map.delete(map.keys().next().value)`), the obvious
// alternative, is not: V8 keeps deleted entries in place until the table is rebuilt, so the
// first live key is found by walking past every entry deleted before it — ~6 µs per insert
// in a map of 10,000 once it is full, against ~0.2 µs here.

export class RecentMap<K, V> {
  readonly #limit: number;
  #young = new Map<K, V>();
  #old = new Map<K, V>();

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`RecentMap limit must be a positive integer, got ${limit}`);
    }
    this.#limit = limit;
  }

  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined || this.#young.has(key)) return young;
    return this.#old.get(key);
  }

  has(key: K): boolean {
    return this.#young.has(key) || this.#old.has(key);
  }

  set(key: K, value: V): this {
    this.#old.delete(key); // one entry per key: the newest
    this.#young.set(key, value);
    if (this.#young.size >= this.#limit) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    return this;
  }

  delete(key: K): boolean {
    const young = this.#young.delete(key);
    return this.#old.delete(key) || young;
  }

  /** Entries held (between the newest `limit` and twice that, once that many were set). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }
}

/** {@link RecentMap} of keys alone. */
export class RecentSet<K> {
  readonly #map: RecentMap<K, true>;

  constructor(limit: number) {
    this.#map = new RecentMap(limit);
  }

  add(key: K): this {
    this.#map.set(key, true);
    return this;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}
