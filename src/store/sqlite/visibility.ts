/** listRuns/countRuns on SQLite through the shared visibility compiler. */
import type Database from 'better-sqlite3';
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
  SQLITE_DIALECT,
  toGroups,
  toListPage,
  type RunRow,
  type SqlDialect,
} from '../sql/index.js';

/** Statements kept per connection: the SQL text varies only with the filter's shape. */
const CACHE_SIZE = 64;

/**
 * The shared compiler with named parameters (`@p1`, `@p2`, …) bound from an object, so
 * binding does not depend on the order in which the compiler writes placeholders.
 */
const DIALECT: SqlDialect = { ...SQLITE_DIALECT, param: (index) => `@p${index}` };

function named(params: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < params.length; i++) out[`p${i + 1}`] = params[i];
  return out;
}

export class VisibilityQueries {
  readonly #db: Database.Database;
  /** Insertion-ordered: the first key is the least recently used. */
  readonly #cache = new Map<string, Database.Statement<unknown[]>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #statement(sql: string): Database.Statement<unknown[]> {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[]>(sql);
      if (this.#cache.size >= CACHE_SIZE) {
        const oldest = this.#cache.keys().next();
        if (oldest.done !== true) this.#cache.delete(oldest.value);
      }
    } else {
      this.#cache.delete(sql);
    }
    this.#cache.set(sql, statement);
    return statement;
  }

  list(request: ListRequest): ListPage {
    const compiled = buildListQuery(request, DIALECT);
    const rows = this.#statement(compiled.sql).all(named(compiled.params)) as RunRow[];
    return toListPage(rows, compiled);
  }

  count(namespace: string, where: VisibilityExpr | undefined): number {
    const { sql, params } = buildCountQuery(namespace, where, DIALECT);
    return (this.#statement(sql).get(named(params)) as { n: number }).n;
  }

  countGroups(
    namespace: string,
    groupBy: GroupByField,
    where: VisibilityExpr | undefined,
  ): RunGroupCount[] {
    const { sql, params } = buildGroupCountQuery(namespace, groupBy, where, DIALECT);
    const rows = this.#statement(sql).all(named(params)) as { value: string; n: number }[];
    return toGroups(rows);
  }

  clear(): void {
    this.#cache.clear();
  }
}
