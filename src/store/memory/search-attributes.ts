// The memory store's search-attribute schema: the custom attributes registered in each
// namespace with their types, grown all-or-nothing under the shared registration rules.
import type { SearchAttributeType } from '../../core/index.js';
import type { SearchAttributeDefinition } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { planSearchAttributeRegistration } from '../shared/index.js';

export class MemorySearchAttributes {
  /** namespace → name → type. */
  readonly #byNamespace = new Map<string, Map<string, SearchAttributeType>>();

  /** Throws `invalid_argument` (registering nothing) on a refused definition. */
  registerSearchAttributes(namespace: string, defs: readonly SearchAttributeDefinition[]): void {
    const existing = this.#byNamespace.get(namespace) ?? new Map<string, SearchAttributeType>();
    const added = planSearchAttributeRegistration(existing, defs);
    if (added.length === 0) return;
    for (const def of added) existing.set(def.name, def.type);
    this.#byNamespace.set(namespace, existing);
  }

  listSearchAttributes(namespace: string): SearchAttributeDefinition[] {
    return [...(this.#byNamespace.get(namespace) ?? [])]
      .map(([name, type]) => ({ name, type }))
      .sort((a, b) => compareStrings(a.name, b.name));
  }
}
