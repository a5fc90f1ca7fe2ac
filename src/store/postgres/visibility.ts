import type {
  GroupByField,
  ListPage,
  ListRequest,
  RunGroupCount,
  VisibilityExpr,
} from '../contract/index.js';
import {
  buildCountQuery,
  buildGroupCountQuery,
  buildListQuery,
  POSTGRES_DIALECT,
  toGroups,
  toListPage,
  type RunRow,
} from '../sql/index.js';
import type { PgDriver, Row } from './driver.js';

/**
 * The shared compiler emits unqualified `runs` / `run_search_attrs`. A store-owned pool sets
 * `search_path` on every connection; on a caller's pool the query runs in a transaction with
 * `SET LOCAL search_path`, which leaves the connection as it was.
 */
async function run(
  db: PgDriver,
  schema: string,
  sql: string,
  params: readonly unknown[],
  what: string,
): Promise<Row[]> {
  if (db.searchPath === schema) return db.query(sql, params, what);
  return db.tx(what, async (q) => {
    await q.query(`SELECT set_config('search_path', $1, true)`, [`"${schema}"`]);
    return q.query(sql, params);
  });
}

export async function listRuns(
  db: PgDriver,
  schema: string,
  request: ListRequest,
): Promise<ListPage> {
  const compiled = buildListQuery(request, POSTGRES_DIALECT);
  const rows = await run(db, schema, compiled.sql, compiled.params, 'listRuns');
  return toListPage(rows as unknown as RunRow[], compiled);
}

export async function countRuns(
  db: PgDriver,
  schema: string,
  namespace: string,
  where?: VisibilityExpr,
): Promise<number> {
  const { sql, params } = buildCountQuery(namespace, where, POSTGRES_DIALECT);
  const rows = await run(db, schema, sql, params, 'countRuns');
  return Number(rows[0]?.n ?? 0);
}

export async function countRunGroups(
  db: PgDriver,
  schema: string,
  namespace: string,
  groupBy: GroupByField,
  where?: VisibilityExpr,
): Promise<RunGroupCount[]> {
  const { sql, params } = buildGroupCountQuery(namespace, groupBy, where, POSTGRES_DIALECT);
  const rows = await run(db, schema, sql, params, 'countRunGroups');
  return toGroups(rows as unknown as { value: string; n: string }[]);
}
