/**
 * The search-attribute schema as the query parser takes it. The registration rules (reserved
 * names, type changes, the per-namespace cap) are the store's: `src/store` enforces them.
 */
import type { SearchAttributeType } from '../core/index.js';
import type { SearchAttributeDefinition } from '../store/index.js';

/** The schema map the query parser takes, from a store's listing. */
export function schemaFromDefinitions(
  defs: readonly SearchAttributeDefinition[],
): ReadonlyMap<string, SearchAttributeType> {
  return new Map(defs.map((d) => [d.name, d.type]));
}
