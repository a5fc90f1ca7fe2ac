import pg from 'pg';
import type { PgDriver } from './driver.js';
import type { ListenClientFactory, ListenClientLike } from './inbox-listener.js';
import type { PgPoolLike, PostgresStoreOptions } from './options.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** The connection settings a `pg.Pool` keeps (other pools have none we can reuse). */
function poolSettings(pool: PgPoolLike): Record<string, unknown> | undefined {
  const options = (pool as { options?: unknown }).options;
  return typeof options === 'object' && options !== null
    ? (options as Record<string, unknown>)
    : undefined;
}

/**
 * How the inbox opens its LISTEN client: with the store's connection string (and its pool's
 * `application_name`, so a takeover ends it with the pool's sessions), or with the settings of
 * a caller's `pg.Pool`. A pool of another kind gives none: its inbox polls only.
 */
export function listenClientFactory(
  options: PostgresStoreOptions,
  driver: PgDriver,
): ListenClientFactory | undefined {
  let settings: Record<string, unknown> | undefined;
  if (options.connectionString !== undefined) {
    settings = {
      connectionString: options.connectionString,
      ...(driver.applicationName !== undefined ? { application_name: driver.applicationName } : {}),
    };
  } else if (options.pool !== undefined) {
    settings = poolSettings(options.pool);
  }
  if (settings === undefined) return undefined;
  const config = {
    ...settings,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  } as pg.ClientConfig;
  return (): ListenClientLike => new pg.Client(config);
}
