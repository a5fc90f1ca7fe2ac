// The namespaces part of the store contract: the registry of namespaces and their settings
// (description, retention). Every key of every other row includes a namespace name.

/** A registered namespace: its settings. Every key of every other row includes a namespace name. */
export interface NamespaceRecord {
  readonly name: string;
  readonly description: string;
  /**
   * How long closed runs are kept (ms) before retention deletes them with their history;
   * `null` keeps them forever.
   */
  readonly retentionMs: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * The namespace registry. Names follow the namespace rules of `validateNamespace` (core/ids);
 * a bad name or setting throws `invalid_argument` and writes nothing.
 */
export interface NamespaceStore {
  /** Registers a namespace; `created: false` (and nothing changed) if the name exists. */
  createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }>;
  /** Changes description and/or retention; `not_found` if the namespace is not registered. */
  updateNamespace(
    name: string,
    patch: { readonly description?: string; readonly retentionMs?: number | null },
    now: number,
  ): Promise<NamespaceRecord>;
  getNamespace(name: string): Promise<NamespaceRecord | undefined>;
  /** Every registered namespace, sorted by name (code-point order). */
  listNamespaces(): Promise<NamespaceRecord[]>;
}
