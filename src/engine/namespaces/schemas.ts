// Search-attribute schemas per namespace: loaded from the store, cached for the synchronous
// paths (start options, workflow upserts, list queries), reloaded after registration.
import type { SearchAttributeType } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { schemaFromDefinitions } from '../../visibility/index.js';

export type Schema = ReadonlyMap<string, SearchAttributeType>;

const EMPTY: Schema = new Map();

export class SearchAttributeSchemas {
  readonly #store: Store;
  readonly #byNamespace = new Map<string, Schema>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Reads a namespace's schema from the store and caches it. */
  async load(namespace: string): Promise<Schema> {
    const schema = schemaFromDefinitions(await this.#store.listSearchAttributes(namespace));
    this.#byNamespace.set(namespace, schema);
    return schema;
  }

  has(namespace: string): boolean {
    return this.#byNamespace.has(namespace);
  }

  /** The cached schema (empty when not loaded yet). */
  cached(namespace: string): Schema {
    return this.#byNamespace.get(namespace) ?? EMPTY;
  }

  /** The cached schema, loading it first if needed. */
  async of(namespace: string): Promise<Schema> {
    return this.#byNamespace.get(namespace) ?? (await this.load(namespace));
  }

  /** Registers search attributes (idempotent; a type cannot change) and reloads the schema. */
  async register(
    namespace: string,
    defs: Readonly<Record<string, SearchAttributeType>>,
  ): Promise<void> {
    await this.#store.registerSearchAttributes(
      namespace,
      Object.entries(defs).map(([name, type]) => ({ name, type })),
    );
    await this.load(namespace);
  }

  /** The registered search attributes of a namespace, freshly read. */
  async list(namespace: string): Promise<Record<string, SearchAttributeType>> {
    return Object.fromEntries(await this.load(namespace));
  }
}
