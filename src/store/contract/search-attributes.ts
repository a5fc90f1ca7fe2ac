// The search-attribute schema part of the store contract: the custom attributes registered
// in each namespace with their types, which the visibility query language resolves names against.
import type { SearchAttributeType } from '../../core/index.js';

/** A custom search attribute registered in a namespace: its name and value type. */
export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

/**
 * The custom search attributes of each namespace, with their types: what the visibility query
 * language resolves names against (see `src/visibility`). Registration only grows a
 * namespace's schema; a name keeps its type for good.
 */
export interface SearchAttributeSchemaStore {
  /**
   * Registers custom search attributes in `namespace`, all or nothing. Re-registering a name
   * with the same type is a no-op (idempotent); a different type for an existing name, an
   * invalid or reserved name (a built-in field such as `WorkflowType`, a query keyword) or an
   * unknown type throws `invalid_argument` naming it, and registers nothing of the call.
   */
  registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void>;
  /** The registered search attributes of `namespace`, sorted by name (code-point order). */
  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]>;
}
