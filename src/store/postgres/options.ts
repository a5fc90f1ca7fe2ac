import type { Limits } from '../../core/index.js';

/**
 * The slice of a `pg` query config the adapter uses. Structural, so the public API does not
 * depend on `@types/pg`.
 */
export interface PgQueryConfig {
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
  /** Overrides of the history limits enforced on append/commit. Default {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<Limits>;
}
