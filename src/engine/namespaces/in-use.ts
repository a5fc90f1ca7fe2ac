// The namespaces this engine drives (its own, and any started in, recovered or connected to):
// activity polling covers exactly these.

export class NamespacesInUse {
  readonly #names = new Set<string>();
  readonly #onAdded: () => void;

  /** `onAdded` runs when a namespace is added after the first (activity polling wakes). */
  constructor(first: string, onAdded: () => void) {
    this.#names.add(first);
    this.#onAdded = onAdded;
  }

  /** The live set (read by the activity service on each poll). */
  get names(): ReadonlySet<string> {
    return this.#names;
  }

  use(namespace: string): void {
    if (this.#names.has(namespace)) return;
    this.#names.add(namespace);
    this.#onAdded();
  }
}
