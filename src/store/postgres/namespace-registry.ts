/** The namespace registry on PostgreSQL: one row per registered namespace. */
import type { NamespaceRecord } from '../contract/index.js';
import {
  namespaceNotFound,
  validateNamespaceRecord,
  validateNamespaceUpdate,
  type NamespacePatch,
} from '../shared/index.js';
import type { PgDriver, Row } from './driver.js';

const COLUMNS = 'name, description, retention_ms, created_at, updated_at';

function fromRow(row: Row): NamespaceRecord {
  return {
    name: row.name as string,
    description: row.description as string,
    retentionMs: row.retention_ms as number | null,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

/** Inserts unless the name exists (never overwrites); the insert arbitrates concurrent creates. */
export async function createNamespace(
  db: PgDriver,
  s: string,
  record: NamespaceRecord,
): Promise<{ readonly created: boolean }> {
  validateNamespaceRecord(record);
  const rows = await db.query(
    `INSERT INTO ${s}.namespaces (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name) DO NOTHING RETURNING 1`,
    [record.name, record.description, record.retentionMs, record.createdAt, record.updatedAt],
    'createNamespace',
  );
  return { created: rows.length === 1 };
}

/**
 * Applies the patch in one statement (the row lock orders concurrent updates, and each changes
 * only the fields it was given). Mirrors `applyNamespacePatch`: absent fields keep their value,
 * `retentionMs: null` clears retention, `updated_at` is always stamped.
 */
export async function updateNamespace(
  db: PgDriver,
  s: string,
  name: string,
  patch: NamespacePatch,
  now: number,
): Promise<NamespaceRecord> {
  validateNamespaceUpdate(name, patch, now);
  const rows = await db.query(
    `UPDATE ${s}.namespaces SET
       description = CASE WHEN $2::boolean THEN $3::text ELSE description END,
       retention_ms = CASE WHEN $4::boolean THEN $5::bigint ELSE retention_ms END,
       updated_at = $6
     WHERE name = $1
     RETURNING ${COLUMNS}`,
    [
      name,
      patch.description !== undefined,
      patch.description ?? null,
      patch.retentionMs !== undefined,
      patch.retentionMs ?? null,
      now,
    ],
    'updateNamespace',
  );
  const row = rows[0];
  if (row === undefined) throw namespaceNotFound(name);
  return fromRow(row);
}

export async function getNamespace(
  db: PgDriver,
  s: string,
  name: string,
): Promise<NamespaceRecord | undefined> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${s}.namespaces WHERE name = $1`,
    [name],
    'getNamespace',
  );
  const row = rows[0];
  return row === undefined ? undefined : fromRow(row);
}

export async function listNamespaces(db: PgDriver, s: string): Promise<NamespaceRecord[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${s}.namespaces ORDER BY name COLLATE "C"`,
    [],
    'listNamespaces',
  );
  return rows.map(fromRow);
}
