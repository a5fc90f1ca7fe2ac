import { AionError, type Limits } from '../../core/index.js';

/**
 * The slice of a `pg` query config the adapter uses. Structural, so the public API does not
 * depend on `@types/pg`.
 */
export interface PgQueryConfig {
  /** Set for a prepared statement (see statement-names.ts). */
  readonly name?: string;
  readonly text: string;
  readonly values?: readonly unknown[];
  /** Per-query type parsers (the adapter parses BIGINT to number without touching global state). */
  readonly types?: {
    getTypeParser(oid: number, format?: string): (value: string) => unknown;
  };
}

export interface PgQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** A connection checked out of a pool (`pg.PoolClient` satisfies it). */
export interface PgPoolClientLike {
  query(config: PgQueryConfig): Promise<PgQueryResult>;
  /** Pass an error (or `true`) to destroy the connection instead of returning it to the pool. */
  release(destroy?: Error | boolean): void;
  /**
   * `pg` clients are event emitters: a connection that dies while checked out emits `error`,
   * which would crash the process without a listener. Optional for other pool implementations.
   */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  removeListener?(event: 'error', listener: (err: Error) => void): unknown;
}

/** A connection pool (`pg.Pool` satisfies it). */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  query(config: PgQueryConfig): Promise<PgQueryResult>;
  end(): Promise<void>;
}

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * libpq-style connection string, e.g. `postgres://user@host:5432/db`. The store creates and
   * owns a pool of `poolSize` connections and ends it on `close()`.
   */
  readonly connectionString?: string;
  /**
   * A pool the caller owns (e.g. a shared `pg.Pool`); `close()` leaves it open. Every query is
   * schema-qualified, so the pool's `search_path` does not matter. Exactly one of
   * `connectionString` and `pool` is required. The caller keeps the pool's own error
   * handling: give a `pg.Pool` an `error` listener, and one on each client from its `connect`
   * event, or a connection the server terminates can crash the process.
   */
  readonly pool?: PgPoolLike;
  /**
   * Schema that holds every table; created if missing. Lower-case letters, digits and `_`,
   * starting with a letter or `_`, at most 63 characters. Default `aion`.
   */
  readonly schema?: string;
  /** Connections in the store-owned pool (ignored with `pool`). Default 10. */
  readonly poolSize?: number;
  /**
   * How long a statement of the store-owned pool may wait for its answer before it fails with
   * the retryable `store_unavailable` and its connection is discarded (ignored with `pool`).
   * It bounds what a database that accepts connections but never answers (a frozen server, a
   * silent network partition) can hold up: a commit that times out is settled by reading the
   * history back, like any commit whose outcome is unknown. Default 60 000; 0 waits forever.
   */
  readonly queryTimeoutMs?: number;
  /**
   * Whether small group commits (a few runs: what a lightly loaded engine writes) run as a
   * named (prepared) statement, parsed and planned once per connection — about 40% off their
   * round trip. Turn it off behind a pooler that does not support prepared statements
   * (PgBouncer before 1.21 in transaction or statement mode, or later without
   * `max_prepared_statements`). Default true.
   */
  readonly preparedStatements?: boolean;
  /** Overrides of the history limits enforced on append/commit. Default {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<Limits>;
}

const DEFAULT_QUERY_TIMEOUT_MS = 60_000;

/** `queryTimeoutMs`, validated (default 60 s). */
export function queryTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_QUERY_TIMEOUT_MS;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new AionError(
      'invalid_argument',
      `queryTimeoutMs must be a whole number of milliseconds, 0 or more (0 waits forever); got ${String(ms)}`,
      { field: 'queryTimeoutMs' },
    );
  }
  return ms;
}

/** `preparedStatements`, validated (default true). */
export function preparedStatements(value: boolean | undefined): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new AionError(
      'invalid_argument',
      `preparedStatements must be true or false; got ${JSON.stringify(value)}`,
      { field: 'preparedStatements' },
    );
  }
  return value;
}
