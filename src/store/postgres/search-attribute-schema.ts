/** The search-attribute schema on PostgreSQL: one row per (namespace, name). */
import type { SearchAttributeType } from '../../core/index.js';
import { planSearchAttributeRegistration } from '../shared/index.js';
import type { SearchAttributeDefinition } from '../contract/index.js';
import type { PgDriver, Queryable, Row } from './driver.js';

function toDefinition(row: Row): SearchAttributeDefinition {
  return { name: row.name as string, type: row.type as SearchAttributeType };
}

async function list(q: Queryable, s: string, namespace: string): Promise<Row[]> {
  return q.query(
    `SELECT name, type FROM ${s}.search_attribute_defs WHERE namespace = $1 ORDER BY name COLLATE "C"`,
    [namespace],
  );
}

/**
 * Registers definitions all or nothing. A transaction-scoped advisory lock per (schema,
 * namespace) serialises registrations, so two nodes giving one new name different types
 * cannot both succeed, and the per-namespace limit counts every committed row.
 */
export async function registerSearchAttributes(
  db: PgDriver,
  s: string,
  namespace: string,
  defs: readonly SearchAttributeDefinition[],
): Promise<void> {
  await db.tx('registerSearchAttributes', async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `aion.search-attributes:${s}:${namespace}`,
    ]);
    const existing = new Map(
      (await list(q, s, namespace)).map((r) => [r.name as string, r.type as SearchAttributeType]),
    );
    const added = planSearchAttributeRegistration(existing, defs);
    if (added.length === 0) return;
    await q.query(
      `INSERT INTO ${s}.search_attribute_defs (namespace, name, type)
       SELECT $1, d.name, d.type FROM unnest($2::text[], $3::text[]) AS d(name, type)`,
      [namespace, added.map((d) => d.name), added.map((d) => d.type)],
    );
  });
}

export async function listSearchAttributes(
  db: PgDriver,
  s: string,
  namespace: string,
): Promise<SearchAttributeDefinition[]> {
  return (await list(db, s, namespace)).map(toDefinition);
}
