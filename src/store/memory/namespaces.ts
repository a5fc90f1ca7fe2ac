// The memory store's namespace registry: each namespace's settings by name, validated by the
// shared namespace rules; callers always get copies, as from a SQL store.
import type { NamespaceRecord } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import {
  applyNamespacePatch,
  namespaceNotFound,
  validateNamespaceRecord,
  validateNamespaceUpdate,
  type NamespacePatch,
} from '../shared/index.js';

export class MemoryNamespaces {
  /** name → record. */
  readonly #namespaces = new Map<string, NamespaceRecord>();

  /** Throws `invalid_argument` on a bad record. */
  createNamespace(record: NamespaceRecord): { readonly created: boolean } {
    validateNamespaceRecord(record);
    if (this.#namespaces.has(record.name)) return { created: false };
    this.#namespaces.set(record.name, namespaceCopy(record));
    return { created: true };
  }

  /** Throws `invalid_argument` on a bad patch, `not_found` for an unknown namespace. */
  updateNamespace(name: string, patch: NamespacePatch, now: number): NamespaceRecord {
    validateNamespaceUpdate(name, patch, now);
    const existing = this.#namespaces.get(name);
    if (existing === undefined) {
      throw namespaceNotFound(name);
    }
    const updated = applyNamespacePatch(existing, patch, now);
    this.#namespaces.set(name, updated);
    return { ...updated };
  }

  getNamespace(name: string): NamespaceRecord | undefined {
    const record = this.#namespaces.get(name);
    return record === undefined ? undefined : { ...record };
  }

  listNamespaces(): NamespaceRecord[] {
    return [...this.#namespaces.values()]
      .sort((a, b) => compareStrings(a.name, b.name))
      .map((r) => ({ ...r }));
  }
}

/** Only the record's own fields: the caller's object may carry more, or change later. */
function namespaceCopy(r: NamespaceRecord): NamespaceRecord {
  return {
    name: r.name,
    description: r.description,
    retentionMs: r.retentionMs,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
