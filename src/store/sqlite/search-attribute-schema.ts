/** The search-attribute schema on SQLite: one row per (namespace, name). */
import type Database from 'better-sqlite3';
import type { SearchAttributeType } from '../../core/index.js';
import { planSearchAttributeRegistration } from '../shared/index.js';
import type { SearchAttributeDefinition } from '../contract/index.js';

interface DefRow {
  readonly name: string;
  readonly type: SearchAttributeType;
}

export class SearchAttributeSchema {
  readonly #list: Database.Statement<[string], DefRow>;
  readonly #insert: Database.Statement<[string, string, string]>;
  readonly #register: Database.Transaction<
    (namespace: string, defs: readonly SearchAttributeDefinition[]) => void
  >;

  constructor(db: Database.Database) {
    this.#list = db.prepare<[string], DefRow>(
      'SELECT name, type FROM search_attribute_defs WHERE namespace = ? ORDER BY name',
    );
    this.#insert = db.prepare<[string, string, string]>(
      'INSERT INTO search_attribute_defs (namespace, name, type) VALUES (?, ?, ?)',
    );
    // Read, check and insert in one IMMEDIATE transaction: another connection registering the
    // same name waits, then sees this one's type.
    this.#register = db.transaction((namespace, defs) => {
      const existing = new Map(this.#list.all(namespace).map((r) => [r.name, r.type]));
      for (const def of planSearchAttributeRegistration(existing, defs)) {
        this.#insert.run(namespace, def.name, def.type);
      }
    });
  }

  register(namespace: string, defs: readonly SearchAttributeDefinition[]): void {
    this.#register.immediate(namespace, defs);
  }

  list(namespace: string): SearchAttributeDefinition[] {
    return this.#list.all(namespace).map((r) => ({ name: r.name, type: r.type }));
  }
}
