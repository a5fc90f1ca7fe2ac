export { openPostgresStore, PostgresStore } from './store.js';
export type {
  PgPoolClientLike,
  PgPoolLike,
  PgQueryConfig,
  PgQueryResult,
  PostgresStoreOptions,
} from './options.js';
export { LATEST_SCHEMA_VERSION } from './migrations.js';
