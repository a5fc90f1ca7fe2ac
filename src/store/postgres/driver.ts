import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AionError } from '../../core/index.js';
import { closedStoreError, mapPgError, RETRYABLE_SQLSTATES, sqlState } from './errors.js';
import type { PgPoolClientLike, PgPoolLike, PgQueryConfig } from './options.js';
import { CACHED_PLAN_CHANGED, StatementNames } from './statement-names.js';

export type Row = Record<string, unknown>;

/** Runs one statement; rows come back with BIGINT parsed to number. */
export interface Queryable {
  query(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Like {@link query} but also returns the affected row count. */
  exec(text: string, values?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
}

const INT8_OID = 20;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new AionError('internal', `BIGINT value ${value} is outside the safe integer range`, {
      value,
    });
  }
  return n;
}

/**
 * Per-query parsers: BIGINT (times, seqs, counts) becomes a number. Passed with every query
 * rather than set globally so a caller-owned pool and other `pg` users are unaffected.
 */
const TYPES: NonNullable<PgQueryConfig['types']> = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, (format ?? 'text') as 'text') as (value: string) => unknown;
  },
};

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema name before it is interpolated into SQL (then always double-quoted). */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_RE.test(schema) || schema.startsWith('pg_')) {
    throw new AionError(
      'invalid_argument',
      `invalid PostgreSQL schema name ${JSON.stringify(schema)}: use 1-63 lower-case letters, digits or '_', starting with a letter or '_' (not 'pg_')`,
      { field: 'schema' },
    );
  }
  return `"${schema}"`;
}

const MAX_TX_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;
/** The message of `pg`'s client-side `query_timeout` error. */
const READ_TIMEOUT_MESSAGE = 'Query read timeout';

/** Owns (or borrows) the pool; every store operation goes through `query` or `tx`. */
export class PgDriver {
  readonly #pool: PgPoolLike;
  readonly #ownsPool: boolean;
  readonly #names: StatementNames;
  #closed = false;
  #guard: (() => Error | undefined) | undefined;
  /** Schema every connection has as `search_path` (store-owned pools only). */
  readonly searchPath: string | undefined;
  /**
   * `application_name` of every connection of a store-owned pool, unique per store: a node
   * taking over a frozen one ends that one's sessions by it (their open transactions would
   * hold the shard leases' row locks). Undefined for a caller's pool.
   */
  readonly applicationName: string | undefined;

  constructor(
    pool: PgPoolLike,
    ownsPool: boolean,
    searchPath: string | undefined,
    applicationName: string | undefined,
    names: StatementNames,
  ) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#names = names;
    this.searchPath = searchPath;
    this.applicationName = applicationName;
  }

  static create(options: {
    connectionString?: string;
    pool?: PgPoolLike;
    poolSize: number;
    schema: string;
    /** Client-side read timeout of every statement (0: none). */
    queryTimeoutMs?: number;
    /** Named (prepared) statements (default true). */
    preparedStatements?: boolean;
  }): PgDriver {
    const names = new StatementNames(options.preparedStatements ?? true);
    if (options.pool !== undefined) {
      if (options.connectionString !== undefined) {
        throw new AionError(
          'invalid_argument',
          'pass either connectionString or pool to openPostgresStore, not both',
          {
            field: 'pool',
          },
        );
      }
      return new PgDriver(options.pool, false, undefined, undefined, names);
    }
    if (options.connectionString === undefined) {
      throw new AionError(
        'invalid_argument',
        'openPostgresStore needs a connectionString (e.g. postgres://user@localhost:5432/db) or a pool',
        { field: 'connectionString' },
      );
    }
    const applicationName = `aion:${randomUUID().slice(0, 13)}`;
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize,
      application_name: applicationName,
      // The schema name is validated (quoteSchema) before it gets here.
      options: `-c search_path="${options.schema}"`,
      // A server that does not answer (rather than refuse) fails the connect instead of
      // hanging it: the caller sees store_unavailable and retries.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // Dead peers (a crashed server, a dropped network path) are noticed by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // A server that accepts but never answers fails the statement instead of holding it
      // (and what waits on it) forever; the timed-out connection is discarded.
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
    });
    // An idle connection dropped by the server must not crash the process: the pool discards
    // it, and the next query opens a new one or reports store_unavailable.
    pool.on('error', () => {});
    guardClientErrors(pool);
    return new PgDriver(pool, true, options.schema, applicationName, names);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** From now on every call first asks `guard`, and fails with the error it returns. */
  setGuard(guard: () => Error | undefined): void {
    this.#guard = guard;
  }

  #check(): void {
    if (this.#closed) throw closedStoreError();
    const refused = this.#guard?.();
    if (refused) throw refused;
  }

  async query(text: string, values: readonly unknown[] = [], what = 'query'): Promise<Row[]> {
    return (await this.exec(text, values, what)).rows;
  }

  async exec(
    text: string,
    values: readonly unknown[] = [],
    what = 'query',
  ): Promise<{ rows: Row[]; rowCount: number }> {
    this.#check();
    try {
      const result = await this.#pool.query({ text, values, types: TYPES });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw mapPgError(error, what);
    }
  }

  /**
   * Runs one statement on its own (autocommit: the statement is its transaction, so it needs
   * no BEGIN/COMMIT round trips). Returns false, with nothing written, when the statement
   * failed with one of the SQLSTATEs in `refusals` (the caller then takes another path);
   * other errors are mapped and thrown. With `prepare`, it runs as a named statement (see
   * statement-names.ts) unless the store was opened with `preparedStatements: false`.
   */
  async tryStatement(
    text: string,
    values: readonly unknown[],
    refusals: ReadonlySet<string>,
    what: string,
    prepare = false,
  ): Promise<boolean> {
    this.#check();
    try {
      await this.#statement(text, values, prepare);
      return true;
    } catch (error) {
      if (refusals.has(sqlState(error) ?? '')) return false;
      throw mapPgError(error, what);
    }
  }

  /**
   * Runs `fn` in a READ COMMITTED transaction on one connection. Deadlocks and serialization
   * failures roll back and retry the whole function (it must not have effects outside the
   * transaction); other errors roll back and are mapped to typed errors.
   */
  async tx<T>(what: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#txOnce(fn);
      } catch (error) {
        if (attempt < MAX_TX_ATTEMPTS && RETRYABLE_SQLSTATES.has(sqlState(error) ?? '')) continue;
        throw mapPgError(error, what);
      }
    }
  }

  async #txOnce<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    this.#check();
    const client = await this.#pool.connect();
    // While checked out, the pool does not listen for the connection's errors: a backend
    // terminated mid-transaction would emit an unhandled 'error' and crash the process.
    let broken: Error | undefined;
    const onError = (err: Error): void => {
      broken ??= err;
    };
    client.on?.('error', onError);
    const q = clientQueryable(client);
    try {
      await client.query({ text: 'BEGIN' });
      const result = await fn(q);
      await client.query({ text: 'COMMIT' });
      return result;
    } catch (error) {
      // A timed-out statement may still be running on the connection: never reuse it.
      if (broken === undefined && isReadTimeout(error)) broken = error as Error;
      if (broken === undefined) {
        try {
          await client.query({ text: 'ROLLBACK' });
        } catch (rollbackError) {
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
      }
      throw error;
    } finally {
      client.removeListener?.('error', onError);
      // A broken connection is destroyed, not returned: the pool opens a fresh one.
      client.release(broken);
    }
  }

  /**
   * Runs one statement outside a transaction, named when it can be; a prepared statement
   * whose result type changed under it (a newer node migrated the schema) runs again unnamed.
   */
  async #statement(text: string, values: readonly unknown[], prepare: boolean): Promise<void> {
    const name = prepare ? this.#names.nameOf(text, values) : undefined;
    if (name === undefined) {
      await this.#pool.query(config(undefined, text, values));
      return;
    }
    try {
      await this.#pool.query(config(name, text, values));
    } catch (error) {
      if (sqlState(error) !== CACHED_PLAN_CHANGED) throw error;
      this.#names.forget(text);
      await this.#pool.query(config(undefined, text, values));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}

/** The `connect` event of a `pg.Pool` (typed here so declarations do not need `pg`'s types). */
interface PoolConnectEvents {
  on(
    event: 'connect',
    listener: (client: { on(event: 'error', listener: (err: Error) => void): unknown }) => void,
  ): unknown;
}

/**
 * Gives every connection of `pool` a permanent `error` listener from the moment it connects.
 * `pg-pool` hands a new connection over with no listener of its own, and the caller attaches
 * one only after its `await` resumes; a backend terminated in that gap (its error arrives in
 * the same socket read as the connect) would emit an unhandled `error` and crash the process.
 * With the guard the error only marks the client unqueryable: its next query fails and the
 * caller destroys it.
 */
export function guardClientErrors(pool: PoolConnectEvents): void {
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
}

function config(name: string | undefined, text: string, values: readonly unknown[]): PgQueryConfig {
  return name === undefined ? { text, values, types: TYPES } : { name, text, values, types: TYPES };
}

function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === READ_TIMEOUT_MESSAGE;
}

function clientQueryable(client: PgPoolClientLike): Queryable {
  const exec = async (text: string, values: readonly unknown[] = []) => {
    const result = await client.query({ text, values, types: TYPES });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };
  return { exec, query: async (text, values) => (await exec(text, values)).rows };
}
