/** The namespace registry on SQLite: one row per registered namespace. */
import type Database from 'better-sqlite3';
import type { NamespaceRecord } from '../contract/index.js';
import {
  applyNamespacePatch,
  namespaceNotFound,
  validateNamespaceRecord,
  validateNamespaceUpdate,
  type NamespacePatch,
} from '../shared/index.js';

interface NamespaceRow {
  readonly name: string;
  readonly description: string;
  readonly retention_ms: number | null;
  readonly created_at: number;
  readonly updated_at: number;
}

type RowValues = [string, string, number | null, number, number];

const COLUMNS = 'name, description, retention_ms, created_at, updated_at';

function fromRow(row: NamespaceRow): NamespaceRecord {
  return {
    name: row.name,
    description: row.description,
    retentionMs: row.retention_ms,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class NamespaceRegistry {
  readonly #get: Database.Statement<[string], NamespaceRow>;
  readonly #list: Database.Statement<[], NamespaceRow>;
  readonly #insert: Database.Statement<RowValues>;
  readonly #update: Database.Statement<[string, number | null, number, string]>;
  readonly #updateTx: Database.Transaction<
    (name: string, patch: NamespacePatch, now: number) => NamespaceRecord
  >;

  constructor(db: Database.Database) {
    this.#get = db.prepare<[string], NamespaceRow>(
      `SELECT ${COLUMNS} FROM namespaces WHERE name = ?`,
    );
    this.#list = db.prepare<[], NamespaceRow>(`SELECT ${COLUMNS} FROM namespaces ORDER BY name`);
    // DO NOTHING on an existing name: create never overwrites, and the insert is the arbiter
    // between connections creating the same name at once.
    this.#insert = db.prepare<RowValues>(
      `INSERT INTO namespaces (${COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
    );
    this.#update = db.prepare<[string, number | null, number, string]>(
      'UPDATE namespaces SET description = ?, retention_ms = ?, updated_at = ? WHERE name = ?',
    );
    // Read, patch and write in one IMMEDIATE transaction so a concurrent update of the other
    // field is not lost.
    this.#updateTx = db.transaction((name, patch, now) => {
      const row = this.#get.get(name);
      if (row === undefined) {
        throw namespaceNotFound(name);
      }
      const updated = applyNamespacePatch(fromRow(row), patch, now);
      this.#update.run(updated.description, updated.retentionMs, updated.updatedAt, name);
      return updated;
    });
  }

  create(record: NamespaceRecord): { readonly created: boolean } {
    validateNamespaceRecord(record);
    const { changes } = this.#insert.run(
      record.name,
      record.description,
      record.retentionMs,
      record.createdAt,
      record.updatedAt,
    );
    return { created: changes === 1 };
  }

  update(name: string, patch: NamespacePatch, now: number): NamespaceRecord {
    validateNamespaceUpdate(name, patch, now);
    return this.#updateTx.immediate(name, patch, now);
  }

  get(name: string): NamespaceRecord | undefined {
    const row = this.#get.get(name);
    return row === undefined ? undefined : fromRow(row);
  }

  list(): NamespaceRecord[] {
    return this.#list.all().map(fromRow);
  }
}
